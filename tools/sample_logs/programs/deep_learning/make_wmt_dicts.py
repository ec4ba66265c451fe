"""Write fairseq-style dict.en.txt / dict.fr.txt (word count per line); the French one is UTF-8."""
import argparse
import os

EN = "the of and to in a is that for it as was with be by on not he I this are or his from at which".split()
FR = ("de la le et les des en du un une est que pour dans qui par sur au pas plus ne se avec il son "
      "été très où à déjà après même être français première système développement société "
      "problème réunion sécurité économique intérêt".split())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    args = p.parse_args()
    os.makedirs(args.root, exist_ok=True)
    for lang, words in (("en", EN), ("fr", FR)):
        with open(os.path.join(args.root, "dict.%s.txt" % lang), "w", encoding="utf-8") as f:
            for rank, w in enumerate(words * 40):
                suffix = "" if rank < len(words) else "@@%d" % (rank // len(words))
                f.write("%s%s %d\n" % (w, suffix, 1000000 // (rank + 1)))


if __name__ == "__main__":
    main()

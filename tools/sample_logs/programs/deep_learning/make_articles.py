"""Write CNN/DailyMail-style articles (JSON lines) with typographic quotes, as the real data has."""
import argparse
import json
import random

TEMPLATES = [
    "The {org} said on {day} that it would cut {n} jobs.",
    "Shares of the {org} fell {n} percent in early trading.",
    "Analysts expect the {org} to report results next week.",
    "Officials in {city} said the measure would take effect in {month}.",
    "The mayor of {city} called the decision \u201ca step forward\u201d for residents.",
    "It\u2019s the first time the {org} has done so since {year}.",
    "Police in {city} said {n} people were taken to hospital.",
    "The report was published by the {org} on {day}.",
]
FILL = {"org": ["company", "central bank", "ministry", "union", "council"],
        "day": ["Monday", "Tuesday", "Friday"], "city": ["London", "Leeds", "Boston", "Atlanta"],
        "month": ["March", "June", "October"], "year": ["2009", "2012", "2015"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--count", type=int, default=40)
    args = p.parse_args()
    rnd = random.Random(8)
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.count):
            sents = []
            for t in rnd.sample(TEMPLATES, 6):
                sents.append(t.format(n=rnd.randint(2, 90), **{k: rnd.choice(v) for k, v in FILL.items()}))
            f.write(json.dumps({"id": "%040x" % rnd.getrandbits(160), "sentences": sents,
                                "oracle": sorted(rnd.sample(range(6), 2))}) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate a held-out evaluation set of triage: eval/heldout/ + eval/heldout.expected.yaml (set a, the
default), or eval/heldout_b/ + eval/heldout_b.expected.yaml (set b: the second set, made blind later
from other programs, eval/programs_b/).

Each job REALLY RUNS a small program (eval/programs/*.py, eval/programs_b/*.py) on CPU with the --python interpreter
(torch, tensorflow, keras, numpy, pandas, pillow, h5py), captures its stdout and stderr line by line,
then lays the capture out as a platform stores logs (eval/lib/platforms.py), with seeded randomness.
The expected failure file and line are computed from the capture (the program's `expect` regex, or
the platform line a wrapper marks), never written by hand.

    python eval/generate.py --python /work/dlenv/bin/python [--set a|b] [--workers 3] [--only NAME...]
"""

from __future__ import annotations

import argparse
import importlib
import concurrent.futures as cf
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from lib import httpserver, platforms  # noqa: E402
from lib.runner import Run, run  # noqa: E402
PROJECTS_B = ["swin-ade", "mae-pretrain", "roberta-mnli", "whisper-ft", "sam-finetune", "dino-v2", "mbart-enro",
            "conformer-aishell", "gnn-qm9", "sasrec-ml1m", "fasterrcnn-city", "stylegan-ffhq", "tacotron-ljs", "bigbird-qa",
            "resnext-inat", "xlmr-panx", "esm-protein", "nerf-blender", "diffusion-lsun", "maskformer-coco", "ctr-avazu",
            "lm-wikitext", "slowfast-k400", "hubert-libri", "deberta-race", "ssd-widerface", "pix2pix-maps", "gpt-neo-code"]
# Each set: its programs' package and modules, its seed, the project names its jobs are named after.
SETS = {
    "a": {"programs": "programs", "modules": ("dl", "env", "code", "data", "syntax", "oot", "ok"), "seed": 20261201,
          "out": "heldout", "projects": None},
    "b": {"programs": "programs_b", "modules": ("dl", "env", "code", "data", "oot", "ok"), "seed": 20261206,
          "out": "heldout_b", "projects": PROJECTS_B},
}
PROGRAMS = "programs"  # the chosen set's (main() sets these three)
MODULES: tuple = ()
SEED = SETS["a"]["seed"]
PROJECTS = ["bert-squad", "resnet50-imagenet", "gpt2-ft", "wav2vec-ls", "detr-coco", "unet-kitti", "t5-summ",
            "vit-cifar", "dlrm-criteo", "lstm-ptb", "yolo-voc", "mt-wmt16", "clip-cc3m", "ner-conll", "dcgan-celeba",
            "deepspeech", "graphsage-ogb", "ppo-atari", "wide-deep", "sentiment-sst2", "rec-ranker", "ocr-crnn",
            "asr-conformer", "llama-lora", "pointnet-mn40", "seg-ade20k", "tabnet-higgs", "vae-mnist",
            "retrieval-msmarco", "tts-tacotron", "kws-speechcmd", "img-caption"]
SETS["a"]["projects"] = PROJECTS
# Programs whose failure is printed without a Traceback: they get line-prefix styles more often.
NO_TRACEBACK_HINT = ("argparse", "py2-", "indent", "taberror", "unterminated", "except-comma", "async-keyword",
                     "paren-never", "python-cant-open", "python-m-", "sh-")


def all_programs():
    progs = []
    for m in MODULES:
        for p in m.PROGRAMS:
            p.module = m.__name__.rsplit(".", 1)[-1]
        progs += m.PROGRAMS
    names = [p.name for p in progs]
    dup = [n for n, c in Counter(names).items() if c > 1]
    assert not dup, dup
    return progs


def plan(progs, rng):
    """One entry per job: program, index, seed, env extras, style, name."""
    jobs, used_names = [], set()
    style_use = Counter()
    for p in progs:
        for k in range(p.jobs):
            allowed = list(p.styles or platforms.STYLES)
            if p.mark == "exit_code":   # a style that shows the exit status
                allowed = [s for s in allowed if s not in ("plain", "k8s_cri")]
            if p.kind == "shell" and "torchrun" in p.code:
                allowed = [s for s in allowed if s != "prefixed"]
            if p.category != "no_failure" and k == 0 and any(h in p.name for h in NO_TRACEBACK_HINT) and "prefixed" in allowed:
                style = "prefixed"
            else:
                least = min(style_use[s] for s in allowed)
                style = rng.choice([s for s in allowed if style_use[s] <= least + 2])
            style_use[style] += 1
            while True:
                name = f"{rng.choice(PROJECTS)}-{rng.getrandbits(16):04x}"
                if name not in used_names:
                    used_names.add(name)
                    break
            extra = {"JOB_SEED": str(rng.randint(0, 40)),
                     "ENGINE_VERBOSITY": str(rng.choice([3, 5, 5, 10, 10, 20, 20]))}
            launch = (p.kind == "python" and not p.signal_after and not p.mark and not p.as_nobody
                      and rng.random() < 0.4)
            if p.category == "no_failure":
                extra["ENGINE_TEARDOWN"] = rng.choice(["", "", "del", "atexit", "both"])
            elif rng.random() < 0.15:
                extra["ENGINE_TEARDOWN"] = rng.choice(["del", "atexit"])
            jobs.append({"prog": p, "k": k, "env": extra, "style": style, "name": name, "key": f"{p.name}#{k}",
                         "launch": launch})
    return jobs


# Labels of failures outside the study's taxonomy: never an earlier attempt of a retried job (as
# before the infrastructure categories existed, so the plan stays the same).
OUTSIDE_STUDY = ("unclassified", "preemption", "fatal_signal", "collective_failure", "time_limit", "lost_worker",
                 "disk_full", "network_unreachable", "gpu_hardware_error")


def add_retries(jobs, rng):
    """Some failed jobs were retried: earlier attempts (other real runs, failing differently) go in numbered dirs."""
    failing = [j for j in jobs if j["prog"].category not in ("no_failure",) and j["style"] not in platforms.SINGLE_FILE]
    rng.shuffle(failing)
    chosen = failing[:16]
    for j in chosen:
        others = [o for o in jobs if o["prog"].category not in ("no_failure", j["prog"].category)
                  and o["prog"].category not in OUTSIDE_STUDY and o is not j]
        n_before = rng.choice([1, 1, 2])
        j["retries"] = [rng.choice(others)["key"] for _ in range(n_before)]
        j["retry_names"] = rng.choice([("1", "2", "3"), ("retry-1", "retry-2", "retry-3"), ("attempt_1", "attempt_2", "attempt_3")])


# What launch scripts commonly print before starting the program (real output of these commands).
PREAMBLE = """echo "==== job environment ===="
echo "host: $(hostname)  user: $(id -un)  cwd: $(pwd)  date: $(date -u +%FT%TZ)"
env | sort | grep -v -E '^(JOB_SEED|ENGINE_[A-Z]+|PYTHON|_|SHLVL|OLDPWD|PWD)=' || true
echo "==== python packages ===="
python -m pip list --disable-pip-version-check 2>/dev/null || true
echo "==== starting ===="
"""


def with_preamble(script: str) -> str:
    first, _, rest = script.partition("\n")
    if first.startswith("#!"):
        return first + "\n" + PREAMBLE + rest
    return PREAMBLE + script


def command_and_files(j):
    """The job's command and files: shell programs get the launch preamble; some Python programs are
    started by a launch script (as Philly and most platforms do), the others directly."""
    p = j["prog"]
    files = p.all_files()
    if p.kind == "shell":
        files[p.script] = with_preamble(files[p.script])
        return p.command(), files
    if j.get("launch"):
        args = " ".join(p.args)
        files["launch.sh"] = "#!/bin/bash\n" + PREAMBLE + f"python -u {p.script} {args}\n".replace("  ", " ")
        return ["bash", "launch.sh"], files
    return p.command(), files


def run_all(jobs, python, workdir, url, workers, log):
    specs = {}
    for j in jobs:
        p = j["prog"]
        cmd, files = command_and_files(j)
        specs[j["key"]] = Run(j["key"].replace("#", "_"), cmd, files,
                              {"DATA_URL": url, **j["env"], **p.env}, p.setup, p.signal_after, as_nobody=p.as_nobody)
    caps = {}
    t0 = time.time()
    by_key = {j["key"]: j for j in jobs}

    def run_checked(key, spec):
        """Run; a run whose outcome is not the one the program is for (a timing-dependent crash path) is run again."""
        for attempt in range(3):
            cap = run(spec, python, workdir)
            try:
                check_outcome(by_key[key], cap)
                target_of(by_key[key], cap)
                return cap
            except (AssertionError, LookupError):
                log(f"  {key}: unexpected outcome (exit {cap.rc}), running it again")
        return cap

    with cf.ThreadPoolExecutor(workers) as ex:
        futs = {ex.submit(run_checked, k, s): k for k, s in specs.items()}
        for n, f in enumerate(cf.as_completed(futs), 1):
            k = futs[f]
            caps[k] = f.result()
            if n % 20 == 0 or n == len(futs):
                log(f"  ran {n}/{len(futs)} programs ({time.time() - t0:.0f}s)")
    return caps


def target_of(job, cap):
    p = job["prog"]
    if p.category == "no_failure":
        return None
    if p.mark == "k8s_status" and cap.rc != -9:
        return ("mark", "exit")          # the pod status's Exit Code line
    if p.mark:
        return ("mark", {"exit_code": "exit"}.get(p.mark, p.mark))
    patterns = p.expect if isinstance(p.expect, tuple) else (p.expect,)
    for n, pattern in enumerate(patterns):   # the first pattern that matches: the cause before its consequence
        try:
            return ("final", p.stream, cap.find(p.stream, pattern, p.which))
        except LookupError:
            if n == len(patterns) - 1:
                raise


def check_outcome(job, cap):
    p = job["prog"]
    if p.category == "no_failure":
        assert cap.rc == 0, f"{job['key']}: a success job exited {cap.rc}:\n" + "\n".join(cap.stderr[-15:])
    else:
        assert cap.rc != 0, f"{job['key']}: a failing job exited 0:\n" + "\n".join(cap.stderr[-15:])


def yaml_str(s):
    return json.dumps(s, ensure_ascii=False)


def choose_set(args) -> None:
    """Point the generator at one set's programs, seed, names and outputs."""
    global PROGRAMS, MODULES, SEED, PROJECTS
    chosen = SETS[args.set]
    PROGRAMS, SEED, PROJECTS = chosen["programs"], chosen["seed"], chosen["projects"]
    MODULES = tuple(importlib.import_module(f"{PROGRAMS}.{name}") for name in chosen["modules"])
    args.out = args.out or os.path.join(HERE, chosen["out"])
    args.expect = args.expect or os.path.join(HERE, chosen["out"] + ".expected.yaml")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", required=True, help="interpreter with torch, tensorflow, numpy, pandas, pillow, h5py")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--set", choices=sorted(SETS), default="a", help="which held-out set to make")
    ap.add_argument("--out", help="default: eval/heldout/ (set a), eval/heldout_b/ (set b)")
    ap.add_argument("--expect", help="default: eval/heldout.expected.yaml, eval/heldout_b.expected.yaml")
    ap.add_argument("--only", nargs="*", help="only programs whose name contains one of these (for debugging)")
    args = ap.parse_args()
    log = lambda m: print(m, file=sys.stderr, flush=True)
    t_start = time.time()

    choose_set(args)
    rng = random.Random(SEED)
    progs = all_programs()
    jobs = plan(progs, rng)
    add_retries(jobs, rng)
    if args.only:
        keep = {j["key"] for j in jobs if any(o in j["prog"].name for o in args.only)}
        for j in jobs:
            if j["key"] in keep:
                keep.update(j.get("retries", []))
        jobs_to_run = [j for j in jobs if j["key"] in keep]
    else:
        jobs_to_run = jobs
    log(f"{len(progs)} programs, {len(jobs)} jobs; running {len(jobs_to_run)}")

    workdir = tempfile.mkdtemp(prefix="heldout-run-")
    os.chmod(workdir, 0o755)
    srv_dir = tempfile.mkdtemp(prefix="heldout-http-")
    srv, url = httpserver.start(srv_dir)
    try:
        caps = run_all(jobs_to_run, args.python, workdir, url, args.workers, log)
    finally:
        srv.shutdown()
    by_key = {j["key"]: j for j in jobs}

    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    os.makedirs(args.out)
    expected = {}
    stats = defaultdict(Counter)
    problems = []
    wrng = random.Random(SEED + 1)
    for j in jobs:
        if j["key"] not in caps or (args.only and not any(o in j["prog"].name for o in args.only)):
            continue
        p, cap = j["prog"], caps[j["key"]]
        try:
            check_outcome(j, cap)
            target = target_of(j, cap)
        except (AssertionError, LookupError) as e:
            problems.append(str(e))
            continue
        jr = random.Random(f"{SEED}-{j['name']}")
        proj = j["name"].rsplit("-", 1)[0]
        cmd = " ".join(c if c != "{python}" else "python" for c in command_and_files(j)[0])
        ctx = platforms.Ctx(cap, "final", jr, j["name"], proj, cmd, cap.rc, p.mark, url)
        files, style = platforms.wrap(j["style"], ctx)
        if target and target[0] == "final":
            target = ("final", target[1], target[2])
        # earlier retries, wrapped in the same platform style
        if j.get("retries"):
            names = j["retry_names"]
            nested = {}
            for n, rkey in enumerate(j["retries"]):
                rcap = caps[rkey]
                rctx = platforms.Ctx(rcap, f"r{n}", jr, j["name"], proj, cmd, rcap.rc, None, url)
                rfiles, _ = platforms.wrap(style.replace("philly_sections", "philly"), rctx)
                nested.update({f"{names[n]}/{k}": [(t, None) for t, _ in v] for k, v in rfiles.items()})
            last = names[len(j["retries"])]
            nested.update({f"{last}/{k}": v for k, v in files.items()})
            files = nested
        single = len(files) == 1 and style in platforms.SINGLE_FILE + ("philly_sections",) and not j.get("retries")
        # locate the failure line
        where = None
        for rel, lines in files.items():
            for i, (_, origin) in enumerate(lines):
                if target and origin == target:
                    assert where is None, f"{j['key']}: target twice"
                    where = (rel, i + 1)
        if target and where is None:
            problems.append(f"{j['key']}: target {target} not in the wrapped files ({style})")
            continue
        # gzip: big logs, and some others
        gz = set()
        for rel, lines in files.items():
            if len(lines) > 1500 or wrng.random() < 0.07:
                gz.add(rel)
        if single:
            rel = next(iter(files))
            key = rel + (".gz" if rel in gz else "")
            base = args.out
        else:
            key = j["name"]
            base = os.path.join(args.out, key)
        for rel, lines in files.items():
            path = os.path.join(base, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            text = "".join(t + "\n" for t, _ in lines).encode("utf-8", "surrogateescape")
            if rel in gz:
                with gzip.GzipFile(path + ".gz", "wb", mtime=0) as f:
                    f.write(text)
            else:
                with open(path, "wb") as f:
                    f.write(text)
        # metadata for a few directory jobs
        if not single and wrng.random() < 0.05:
            with open(os.path.join(base, "job.meta.yaml"), "w") as f:
                f.write(f"gpus: {wrng.choice([1, 2, 4, 8])}\n")
                f.write(f"start: {platforms.iso(ctx.time('start'), 0)[:-2]}Z\n")
                f.write(f"end: {platforms.iso(ctx.time('end'), 0)[:-2]}Z\n")
                f.write(f"exit_code: {ctx.exit_status}\n")
                if j.get("retries"):
                    f.write(f"retries: {len(j['retries'])}\n")
            stats["meta"][key] += 1
        src = (f"program {p.name} in eval/{PROGRAMS}/{p.module}.py ({p.framework}, {p.kind}"
               f"{', started by launch.sh' if j.get('launch') else ''}), really run (exit {cap.rc}"
               + (f", {cap.signalled} sent" if cap.signalled else "") + f"); wrapped as {style}")
        if p.desc:
            src += f"; {p.desc}"
        if p.hand:
            src += f"; HAND-WRITTEN: {p.hand}"
        if j.get("retries"):
            src += f"; earlier retries: {', '.join(caps[r].key for r in j['retries'])}"
        entry = {"category": p.category}
        if where:
            rel, line = where
            file = (rel if single else f"{key}/{rel}") + (".gz" if rel in gz else "")
            entry.update(file=file, line=line)
        entry["source"] = src
        expected[key] = entry
        stats["category"][p.category] += 1
        stats["style"][style] += 1
        stats["framework"][p.framework] += 1
        if j.get("retries"):
            stats["retries"][key] += 1
        if gz:
            stats["gzip"][key] += 1
        total_lines = sum(len(v) for v in files.values())
        stats["lines"][key] = total_lines

    with open(args.expect, "w", encoding="utf-8") as f:
        f.write(f"# Expected result of each job in eval/{os.path.basename(args.out)}/, written by eval/generate.py"
                f" --set {args.set} (do not edit by hand).\n")
        f.write("# line: 1-based, counting \\n only (grep -n), in the decompressed text for .gz files.\n")
        for key in sorted(expected):
            e = expected[key]
            f.write(f"{yaml_str(key)}:\n")
            f.write(f"  category: {e['category']}\n")
            if "file" in e:
                f.write(f"  file: {yaml_str(e['file'])}\n  line: {e['line']}\n")
            f.write(f"  source: {yaml_str(e['source'])}\n")
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.rmtree(srv_dir, ignore_errors=True)

    lines = sorted(stats["lines"].values())
    log(f"\nwrote {len(expected)} jobs to {args.out} in {time.time() - t_start:.0f}s")
    log("categories: " + ", ".join(f"{k}={v}" for k, v in sorted(stats["category"].items())))
    log("styles: " + ", ".join(f"{k}={v}" for k, v in sorted(stats["style"].items())))
    log("frameworks: " + ", ".join(f"{k}={v}" for k, v in sorted(stats["framework"].items())))
    log(f"retry jobs={len(stats['retries'])} gzip jobs={len(stats['gzip'])} meta files={len(stats['meta'])}")
    if lines:
        log(f"lines per job: min {lines[0]}, median {lines[len(lines) // 2]}, max {lines[-1]}")
    if problems:
        log(f"\n{len(problems)} PROBLEMS:")
        for pr in problems:
            log("  - " + pr)
        sys.exit(1)


if __name__ == "__main__":
    main()

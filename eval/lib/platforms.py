"""Platform wrappings: lay a captured run out the way a platform stores its logs.

Every style returns {relative path: [Line, ...]}, where a Line is (text, origin): origin is
(cap_id, stream, index) for a line the program printed, ("mark", name) for a platform line that can
be the failure (the exit line, Slurm's time-limit line, a pod's OOMKilled status), or None.
Platform lines use the wording of the platforms (YARN aggregated logs, Azure ML driver logs, the CRI
log format, Slurm's srun/slurmstepd, the SageMaker training toolkit); they are hand-written.
"""

from __future__ import annotations

import datetime as dt
import random

STYLES = ("plain", "plain_ts", "plain_teardown", "philly", "azureml_v1", "azureml_v2", "k8s_cri", "k8s_dir",
          "slurm", "sagemaker", "prefixed")
SINGLE_FILE = ("philly", "k8s_cri", "slurm", "sagemaker", "prefixed")

DLENV = "/work/dlenv"
STDLIB = "/root/.pyenv/versions/3.11.7/lib/python3.11"

PROFILES = {
    "philly": ("/var/storage/shared/{team}/sys/jobs/{app}/code", "/usr/bin/python3", "/usr/local/lib/python3.11/dist-packages", "/usr/lib/python3.11"),
    "azureml": ("/mnt/azureml/cr/j/{hex}/exe/wd", "/azureml-envs/azureml_{hex}/bin/python", "/azureml-envs/azureml_{hex}/lib/python3.11/site-packages", "/azureml-envs/azureml_{hex}/lib/python3.11"),
    "k8s": ("/workspace/{proj}", "/opt/conda/bin/python", "/opt/conda/lib/python3.11/site-packages", "/opt/conda/lib/python3.11"),
    "slurm": ("/home/{user}/projects/{proj}", "/home/{user}/miniconda3/envs/dl/bin/python", "/home/{user}/miniconda3/envs/dl/lib/python3.11/site-packages", "/home/{user}/miniconda3/envs/dl/lib/python3.11"),
    "sagemaker": ("/opt/ml/code", "/opt/conda/bin/python3.11", "/opt/conda/lib/python3.11/site-packages", "/opt/conda/lib/python3.11"),
    "plain": ("/job/{proj}", "/usr/local/bin/python", "/usr/local/lib/python3.11/site-packages", "/usr/local/lib/python3.11"),
}
USERS = ["v-jiazha", "t-hxiao", "alice", "bkumar", "mchen", "rsato", "dgarcia", "yliu", "kwon", "pnovak"]
TEAMS = ["ipgsrch", "msrlabs", "resrchvc", "pnrsy", "sdrgvc", "msrmt"]
NODES = ["node12", "gpu-a100-07", "dgx03", "sh02-12n09", "gn-117", "node-0423"]


class Ctx:
    """What a style needs: the capture(s), a seeded RNG, names, and a localiser for paths."""

    def __init__(self, cap, cid, rng: random.Random, job: str, proj: str, cmd: str, rc: int, mark: str | None,
                 data_url: str):
        self.cap, self.cid, self.rng, self.job, self.proj, self.cmd, self.rc, self.mark = cap, cid, rng, job, proj, cmd, rc, mark
        self.data_url = data_url
        self.user = rng.choice(USERS)
        self.team = rng.choice(TEAMS)
        self.node = rng.choice(NODES)
        self.hex = "%032x" % rng.getrandbits(128)
        ts = int(cap.started) if cap.started else 1796500000
        self.app = f"application_{ts - rng.randint(10 ** 6, 10 ** 7)}{rng.randint(100, 999)}_{rng.randint(1, 9999):04d}"
        self.jobid = rng.randint(100000, 9999999)
        self.pod = f"{proj}-{rng.getrandbits(24):06x}-worker-0"

    # exit status as a shell or a platform reports it
    @property
    def exit_status(self) -> int:
        return 128 - self.rc if self.rc < 0 else self.rc

    def localiser(self, profile: str):
        code, py, site, stdlib = (s.format(team=self.team, app=self.app, hex=self.hex[:12], proj=self.proj, user=self.user)
                                  for s in PROFILES[profile])
        pairs = [(self.cap.workdir, code), (f"{DLENV}/lib/python3.11/site-packages", site), (STDLIB, stdlib),
                 (f"{DLENV}/bin/python3", py), (f"{DLENV}/bin/python", py),
                 (f"{DLENV}/bin/", py.rsplit("/", 1)[0] + "/"), (DLENV, py.rsplit("/", 2)[0]),
                 (self.data_url, "http://datasets.internal:8080")]

        def loc(text: str) -> str:
            for a, b in pairs:
                if a in text:
                    text = text.replace(a, b)
            return text
        return loc

    def lines(self, which: str, loc, cap=None, cid=None):
        cap = cap or self.cap
        cid = cid or self.cid
        if which == "merged":
            return [(loc(cap.lines(s)[i]), (cid, s, i)) for s, i in cap.order]
        return [(loc(t), (cid, which, i)) for i, t in enumerate(cap.lines(which))]

    def time(self, which="start"):
        c = self.cap
        if which == "start":
            return dt.datetime.fromtimestamp(c.started, dt.timezone.utc)
        return dt.datetime.fromtimestamp(c.started + c.seconds, dt.timezone.utc)

    def line_time(self, origin, last):
        if origin and origin[0] == self.cid:
            t = self.cap.times[origin[1]][origin[2]]
            return dt.datetime.fromtimestamp(t, dt.timezone.utc)
        return last


def iso(t: dt.datetime, digits=3) -> str:
    frac = f"{t.microsecond:06d}"[:digits]
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


def prefix_all(ctx: Ctx, lines, fmt):
    """Prefix every line with fmt(time, stream): the per-line prefixes platforms add."""
    out, last = [], ctx.time("start")
    for text, origin in lines:
        t = ctx.line_time(origin, last)
        last = t
        stream = origin[1] if origin and origin[0] == ctx.cid else "stdout"
        out.append((fmt(t, stream) + text, origin))
    return out


def exit_line(ctx: Ctx, text: str):
    return (text, ("mark", "exit"))


# ---------------------------------------------------------------- styles

def plain(ctx: Ctx):
    loc = ctx.localiser("plain")
    return {"stdout.txt": ctx.lines("stdout", loc), "stderr.txt": ctx.lines("stderr", loc)}


def _teardown(ctx: Ctx, end: dt.datetime):
    r = ctx.rng
    st = ctx.exit_status
    reason = "Completed" if st == 0 else ("OOMKilled" if st == 137 else "Error")
    out = [exit_line(ctx, f"Container {ctx.pod} terminated: exitCode={st} reason={reason}")]
    out += [(f"Uploading artifacts from ./outputs ({r.randint(1, 40)} files, {r.uniform(0.1, 900):.1f} MB) ...", None),
            (f"Artifact upload finished in {r.uniform(0.5, 30):.1f}s", None),
            (f"telemetry: flushed {r.randint(10, 400)} events, 0 dropped", None),
            (f"Job {ctx.job} {'succeeded' if st == 0 else 'failed'} at {iso(end)}", None)]
    return out


def plain_teardown(ctx: Ctx, stamps=False):
    loc = ctx.localiser("plain")
    out, err = ctx.lines("stdout", loc), ctx.lines("stderr", loc)
    end = ctx.time("end")
    tail = _teardown(ctx, end)
    if stamps:
        fmt = lambda t, s: iso(t) + " "
        out, err = prefix_all(ctx, out, fmt), prefix_all(ctx, err, fmt)
        tail = [((iso(end + dt.timedelta(seconds=i * 0.4)) + " " + t), o) for i, (t, o) in enumerate(tail)]
    return {"stdout.txt": out + tail, "stderr.txt": err}


def plain_ts(ctx: Ctx):
    return plain_teardown(ctx, stamps=True)


def philly(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("philly")
    start = ctx.time("start")
    head = [
        f"Container: container_e{r.randint(10, 99)}_{ctx.app[12:]}_01_000002 on 10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}_{r.randint(30000, 60000)}",
        "==" * 38,
        f"LogType:stdouterr",
        f"Log Upload Time:{start.strftime('%a %b %d %H:%M:%S +0000 %Y')}",
        f"LogLength:{r.randint(10 ** 4, 10 ** 7)}",
        "Log Contents:",
        f"PHILLY_JOB_ID={ctx.app}",
        f"PHILLY_VC={ctx.team}",
        f"PHILLY_USER={ctx.user}",
        f"PHILLY_GPU_COUNT={r.choice([1, 2, 4, 8])}",
        f"Running on host {ctx.node} ({r.choice(['Tesla P100-PCIE-16GB', 'Tesla V100-SXM2-32GB', 'Tesla P40'])})",
        "+ cd " + PROFILES["philly"][0].format(team=ctx.team, app=ctx.app),
        "+ export PYTHONPATH=.:$PYTHONPATH",
        f"+ {ctx.cmd}",
    ]
    body = ctx.lines("merged", loc)
    st = ctx.exit_status
    tail = [exit_line(ctx, f"Launch command finished with exit code {st}"),
            (f"PHILLY: job {ctx.app} {'SUCCEEDED' if st == 0 else 'FAILED'} (attempt {r.randint(1, 3)})", None),
            ("End of LogType:stdouterr", None)]
    return {f"{ctx.app}.log": [(h, None) for h in head] + body + tail}


def philly_sections(ctx: Ctx):
    """YARN aggregated log: a stderr section, then a stdout section (the failure is not at the end)."""
    r, loc = ctx.rng, ctx.localiser("philly")
    start = ctx.time("start")
    cont = f"container_e{r.randint(10, 99)}_{ctx.app[12:]}_01_000002"
    out = [(f"Container: {cont} on {ctx.node}_{r.randint(30000, 60000)}", None), ("==" * 38, None)]
    for name in ("stderr", "stdout"):
        body = ctx.lines(name, loc)
        if name == "stdout":
            body = body + [exit_line(ctx, f"[philly-launcher] process exited with code {ctx.exit_status}")]
        out += [(f"LogType:{name}", None), (f"Log Upload Time:{start.strftime('%a %b %d %H:%M:%S +0000 %Y')}", None),
                (f"LogLength:{sum(len(t) + 1 for t, _ in body)}", None), ("Log Contents:", None)]
        out += body + [(f"End of LogType:{name}", None), ("", None)]
    return {f"{ctx.app}.log": out}


def azureml_v1(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("azureml")
    start = ctx.time("start")
    b = lambda s, k=0: (f"[{iso(start + dt.timedelta(seconds=k), 6)}] {s}", None)
    run_id = f"{ctx.proj.replace('-', '_')}_{int(ctx.cap.started)}_{ctx.hex[:8]}"
    head = [b("Entering context manager injector."),
            ("[context_manager_injector.py] Command line Options: Namespace(inject=['ProjectPythonPath:context_managers.ProjectPythonPath', "
             "'RunHistory:context_managers.RunHistory', 'TrackUserError:context_managers.TrackUserError'], invocation=['"
             + ctx.cmd.split(' ', 1)[-1] + "'])", None),
            ("Script type = None", None),
            (f"[{iso(start, 6)}] Entering Run History Context Manager.", None),
            (f"[{iso(start, 6)}] Current directory: {PROFILES['azureml'][0].format(hex=ctx.hex[:12])}", None),
            (f"Starting the daemon thread to refresh tokens in background for process with pid = {r.randint(90, 400)}", None)]
    body = ctx.lines("merged", loc)
    st = ctx.exit_status
    end = ctx.time("end")
    tail = [b(f"Finished context manager injector{' with Exception' if st else ''}.", ctx.cap.seconds)]
    if st:
        tail += [("The experiment failed. Finalizing run...", None)]
    else:
        tail += [("The experiment completed successfully. Finalizing run...", None)]
    tail += [("Cleaning up all outstanding Run operations, waiting 900.0 seconds", None),
             (f"{r.randint(1, 4)} items cleaning up...", None), (f"Cleanup took {r.uniform(0.05, 2):.4f} seconds", None),
             exit_line(ctx, f"[{iso(end, 6)}] Process exited with exit code {st}")]
    exe = [(f"{iso(start + dt.timedelta(seconds=-40 + i), 6)} {s}", None) for i, s in enumerate([
        f"Starting job {run_id} on compute target gpu-cluster ({r.choice(['Standard_NC24s_v3', 'Standard_ND40rs_v2'])})",
        f"Pulling image {ctx.hex[:10]}.azurecr.io/azureml/azureml_{ctx.hex[:32]}:latest",
        "Status: Image is up to date",
        "Mounting datastore workspaceblobstore to /mnt/azureml/cr/j/%s/cap/data-capability/wd/INPUT_data" % ctx.hex[:12],
        "Starting docker container for job",
        "Running user script"])]
    post = [(f"{iso(end + dt.timedelta(seconds=2 + i), 6)} {s}", None) for i, s in enumerate([
        "Entering job release",
        f"Uploading outputs: {r.randint(0, 30)} files",
        "Job release is complete",
    ])]
    return {"azureml-logs/55_azureml-execution-tvmps_%s_d.txt" % ctx.hex[:40]: exe,
            "azureml-logs/70_driver_log.txt": [(t, None) if o is None else (t, o) for t, o in head] + body + tail,
            "azureml-logs/75_job_post-tvmps_%s_d.txt" % ctx.hex[:40]: post}


def azureml_v2(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("azureml")
    start, end = ctx.time("start"), ctx.time("end")
    body = ctx.lines("merged", loc)
    st = ctx.exit_status
    lc = lambda s, k: (f"{iso(start + dt.timedelta(seconds=k), 6)} INFO lifecycler - {s}", None)
    sysl = [lc("Starting lifecycler", -20), lc("Setting up the job", -19), lc(f"Running command: {ctx.cmd}", 0),
            (f"{iso(end, 6)} {'INFO' if st == 0 else 'ERROR'} execution-wrapper - User process exited with exit code {st}",
             ("mark", "exit")),
            lc("Uploading logs and outputs", ctx.cap.seconds + 1), lc("Job finished, job RunId is %s" % ctx.hex[:20], ctx.cap.seconds + 3)]
    return {"user_logs/std_log.txt": body, "system_logs/lifecycler/execution-wrapper.log": sysl}


def k8s_cri(ctx: Ctx):
    loc = ctx.localiser("k8s")
    body = ctx.lines("merged", loc)
    fmt = lambda t, s: t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{ctx.rng.randint(100, 999)}Z {s} F "
    return {f"{ctx.pod}.log": prefix_all(ctx, body, fmt)}


def k8s_dir(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("k8s")
    body = ctx.lines("merged", loc)
    st = ctx.exit_status
    start, end = ctx.time("start"), ctx.time("end")
    reason = "Completed" if st == 0 else ("OOMKilled" if st == 137 else "Error")
    status_mark = ("mark", "k8s_status")
    d = [f"Name:             {ctx.pod}", "Namespace:        ml-training", f"Node:             {ctx.node}/10.2.{r.randint(0, 255)}.{r.randint(2, 250)}",
         f"Start Time:       {start.strftime('%a, %d %b %Y %H:%M:%S +0000')}", "Labels:           training.kubeflow.org/job-role=master",
         f"Status:           {'Succeeded' if st == 0 else 'Failed'}", "Containers:", "  pytorch:",
         f"    Image:          registry.internal/ml/{ctx.proj}:{r.randint(1, 40)}", f"    Command:        {ctx.cmd}",
         "    State:          Terminated"]
    lines = [(x, None) for x in d]
    lines.append((f"      Reason:       {reason}", status_mark if reason == "OOMKilled" else None))
    lines.append((f"      Exit Code:    {st}", ("mark", "exit")))
    lines += [(x, None) for x in [
        f"      Started:      {start.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        f"      Finished:     {end.strftime('%a, %d %b %Y %H:%M:%S +0000')}", "    Ready:          False",
        "    Restart Count:  0", "    Limits:", f"      memory:          {r.choice([16, 32, 64])}Gi", "      nvidia.com/gpu:  1",
        "Events:", "  Type    Reason     Age   From               Message", "  ----    ------     ----  ----               -------",
        f"  Normal  Scheduled  {r.randint(2, 50)}m   default-scheduler  Successfully assigned ml-training/{ctx.pod} to {ctx.node}",
        f"  Normal  Pulled     {r.randint(2, 50)}m   kubelet            Container image already present on machine",
        f"  Normal  Started    {r.randint(2, 50)}m   kubelet            Started container pytorch"]]
    return {"pod.log": body, "describe.txt": lines}


def slurm(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("slurm")
    label = r.random() < 0.5
    body = ctx.lines("merged", loc)
    if label:
        body = [("0: " + t, o) for t, o in body]
    start, end = ctx.time("start"), ctx.time("end")
    head = [f"Job {ctx.jobid} started on {ctx.node} at {start.strftime('%a %b %d %H:%M:%S UTC %Y')}",
            f"SLURM_JOB_ID={ctx.jobid} SLURM_NTASKS=1 SLURM_GPUS_ON_NODE={r.choice([1, 2, 4, 8])}",
            "module load cuda/12.4 cudnn/9.1", f"srun {'--label ' if label else ''}{ctx.cmd}"]
    st = ctx.exit_status
    tail = []
    if ctx.mark == "slurm_timelimit":
        tail += [("srun: Job step aborted: Waiting up to 32 seconds for job step to finish.", None),
                 (f"slurmstepd: error: *** JOB {ctx.jobid} ON {ctx.node} CANCELLED AT {end.strftime('%Y-%m-%dT%H:%M:%S')} DUE TO TIME LIMIT ***",
                  ("mark", "slurm_timelimit")),
                 (f"slurmstepd: error: *** STEP {ctx.jobid}.0 ON {ctx.node} CANCELLED AT {end.strftime('%Y-%m-%dT%H:%M:%S')} DUE TO TIME LIMIT ***", None),
                 exit_line(ctx, f"srun: error: {ctx.node}: task 0: Terminated")]
    elif st:
        tail.append(exit_line(ctx, f"srun: error: {ctx.node}: task 0: Exited with exit code {st}"))
    else:
        tail.append(exit_line(ctx, f"Job {ctx.jobid} finished with exit code 0 at {end.strftime('%a %b %d %H:%M:%S UTC %Y')}"))
    if tail and st and ctx.mark != "slurm_timelimit":
        tail.append((f"srun: launch/slurm: _step_signal: Terminating StepId={ctx.jobid}.0", None))
    return {f"slurm-{ctx.jobid}.out": [(h, None) for h in head] + body + tail}


def sagemaker(ctx: Ctx):
    r, loc = ctx.rng, ctx.localiser("sagemaker")
    start, end = ctx.time("start"), ctx.time("end")
    tk = lambda s, lvl="INFO", k=0.0: (f"{(start + dt.timedelta(seconds=k)).strftime('%Y-%m-%d %H:%M:%S')},{r.randint(0, 999):03d} "
                                       f"sagemaker-training-toolkit {lvl:<8} {s}", None)
    head = [tk("Imported framework sagemaker_pytorch_container.training", k=-3),
            tk("No Neurons detected (normal if no neurons installed)", k=-3),
            tk("Invoking user script", k=-1),
            ("Training Env:", None), ("{", None),
            (f'    "current_host": "algo-1",', None), ('    "hosts": ["algo-1"],', None),
            (f'    "job_name": "{ctx.proj}-{start.strftime("%Y-%m-%d-%H-%M-%S")}-{r.randint(100, 999)}",', None),
            ('    "num_gpus": 1,', None), ('    "user_entry_point": "train.py"', None), ("}", None),
            tk(f"Invoking script with the following command:\n\n{PROFILES['sagemaker'][1]} {ctx.cmd.split(' ', 1)[-1]}\n", k=0)]
    # the command line spans several lines
    expanded = []
    for t, o in head:
        for piece in t.split("\n"):
            expanded.append((piece, o))
    body = ctx.lines("merged", loc)
    st = ctx.exit_status
    if st == 0:
        tail = [tk("Waiting for the process to finish and give a return code.", k=ctx.cap.seconds),
                tk("Done waiting for a return code. Received 0 from exiting process.", k=ctx.cap.seconds),
                exit_line(ctx, tk("Reporting training SUCCESS", k=ctx.cap.seconds)[0])]
    else:
        last_err = next((t for t, o in reversed(body) if o and o[1] == "stderr" and t.strip()), "")
        tail = [tk("Waiting for the process to finish and give a return code.", k=ctx.cap.seconds),
                tk(f"Done waiting for a return code. Received {st} from exiting process.", k=ctx.cap.seconds),
                tk("Reporting training FAILURE", "ERROR", ctx.cap.seconds),
                tk("ExecuteUserScriptError:", "ERROR", ctx.cap.seconds),
                exit_line(ctx, f"ExitCode {st}"), (f'ErrorMessage "{last_err}"', None),
                (f'Command "{PROFILES["sagemaker"][1]} {ctx.cmd.split(" ", 1)[-1]}"', None),
                tk(f"Encountered exit_code {st}", "ERROR", ctx.cap.seconds)]
    return {f"{ctx.proj}-{start.strftime('%Y-%m-%d-%H-%M-%S')}-{r.randint(100, 999)}_algo-1.log": expanded + body + tail}


PREFIXES = ("iso", "bracket", "rank", "srun", "glog", "cri")


def prefixed(ctx: Ctx, kind: str | None = None):
    """One merged file, every line prefixed the way some platform tags lines."""
    r = ctx.rng
    kind = kind or r.choice(PREFIXES)
    loc = ctx.localiser(r.choice(["plain", "k8s", "slurm"]))
    body = ctx.lines("merged", loc) + [exit_line(ctx, f"process exited with code {ctx.exit_status}")]
    rank = r.randint(0, 7)
    pid = r.randint(1000, 60000)
    fmts = {
        "iso": lambda t, s: iso(t, 6) + " ",
        "bracket": lambda t, s: "[" + t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}] ",
        "rank": lambda t, s: f"[rank{rank}]: ",
        "srun": lambda t, s: f"{rank}: ",
        "glog": lambda t, s: ("E" if s == "stderr" else "I") + t.strftime("%m%d %H:%M:%S.") + f"{t.microsecond:06d} {pid:>7} launcher.py:212] ",
        "cri": lambda t, s: t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}{r.randint(100, 999)}Z {s} F ",
    }
    ext = {"iso": "log", "bracket": "log", "rank": "txt", "srun": "out", "glog": "INFO", "cri": "log"}[kind]
    return {f"{ctx.job}.{ext}": prefix_all(ctx, body, fmts[kind])}


FUNCS = {"plain": plain, "plain_ts": plain_ts, "plain_teardown": plain_teardown, "philly": philly,
         "philly_sections": philly_sections, "azureml_v1": azureml_v1, "azureml_v2": azureml_v2,
         "k8s_cri": k8s_cri, "k8s_dir": k8s_dir, "slurm": slurm, "sagemaker": sagemaker, "prefixed": prefixed}


def wrap(style: str, ctx: Ctx):
    if style == "philly" and ctx.rng.random() < 0.35:
        style = "philly_sections"
    return FUNCS[style](ctx), style

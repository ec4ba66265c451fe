"""Set b: successful jobs with benign error-looking lines."""
from .common import P, D

PROGRAMS = [
    P("ok-torch-tqdm", "no_failure", "torch", D('''
        import warnings, torch, jobhelper
        from tqdm import tqdm
        jobhelper.banner("mlp-tqdm", epochs=3)
        warnings.warn("The error_on_missing_keys argument is deprecated and will be removed", FutureWarning)
        m = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        x, y = torch.randn(256, 8), torch.randint(0, 2, (256,))
        for ep in range(3):
            for i in tqdm(range(8), desc=f"epoch {ep}", mininterval=0):
                loss = torch.nn.functional.cross_entropy(m(x[i*32:(i+1)*32]), y[i*32:(i+1)*32])
                opt.zero_grad(); loss.backward(); opt.step()
            err = (m(x).argmax(1) != y).float().mean().item()
            print(f"epoch {ep}: loss={loss.item():.4f} val_error={err:.3f} failures=0 nan_steps=0", flush=True)
        print("Training finished without errors.")
        '''), jobs=5),
    P("ok-keras-callback-caught", "no_failure", "keras", D('''
        import logging, numpy as np, keras, jobhelper
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        log = logging.getLogger("callbacks")
        jobhelper.banner("keras-cb", epochs=2)
        class Snapshot(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                try:
                    open(f"/mnt/nfs/snapshots/ep{epoch}.json", "w").write(str(logs))
                except OSError:
                    log.exception("could not write snapshot for epoch %d (continuing)", epoch)
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.compile("adam", "mse", metrics=["mae"])
        model.fit(np.random.rand(128, 6), np.random.rand(128, 1), epochs=2, verbose=2, callbacks=[Snapshot()])
        print("fit complete; mean absolute error reported above")
        '''), jobs=5),
    P("ok-numpy-clean", "no_failure", "numpy", D('''
        import numpy as np, json, jobhelper
        jobhelper.banner("data-clean")
        x = np.random.randn(1000, 4); x[np.random.rand(1000) < 0.012] = np.nan
        bad = np.isnan(x).any(1)
        print(f"rows with errors: {bad.sum()} (dropped), error rate {bad.mean():.1%}")
        x = x[~bad]
        checks = {"finite": bool(np.isfinite(x).all()), "rows": int(len(x))}
        print("validation:", json.dumps({"errors": 0, "failed_checks": 0, "warnings": int(bad.sum()), **checks}))
        jobhelper.warmup(5)
        print("0 failed, 1 passed")
        '''), jobs=5),
    P("ok-download-retry", "no_failure", "stdlib", D('''
        import os, time, urllib.request, urllib.error, jobhelper
        jobhelper.banner("fetch-shards")
        url = os.environ["DATA_URL"] + "/flaky/shard-%d.bin" % int(os.environ.get("JOB_SEED", "0"))
        for attempt in range(1, 6):
            try:
                data = urllib.request.urlopen(url, timeout=5).read()
                print(f"downloaded {len(data)} bytes from {url}")
                break
            except urllib.error.HTTPError as e:
                print(f"WARNING: attempt {attempt}/5 failed: {e}; retrying in 0.2s", flush=True)
                time.sleep(0.2)
        else:
            raise SystemExit("download failed")
        jobhelper.warmup(4)
        '''), jobs=5),
    P("ok-shell-optional", "no_failure", "shell", D('''
        #!/bin/bash
        set -e
        mkdir -p logs data
        printf 'INFO ok\\nERROR transient: retry 1\\nINFO ok\\n' > logs/prev.log
        echo "checking optional extra data"
        ls extra_data/ 2>&1 || echo "no extra data, continuing with the base set"
        echo "previous run had $(grep -c ERROR logs/prev.log) error lines (recovered)"
        seq 1 1000 > data/ids.txt
        tar czf data.tgz data && gzip -t data.tgz && echo "archive check: 0 errors"
        python -c "import jobhelper; jobhelper.banner('post'); jobhelper.warmup(3)"
        echo "done: exit status 0, failures: none"
        '''), kind="shell", files={"jobhelper.py": None}, jobs=5),
    P("ok-apex-fallback", "no_failure", "torch", D('''
        import traceback, torch, jobhelper
        jobhelper.banner("amp-train", amp="apex-O1")
        try:
            from apex import amp
        except ImportError:
            traceback.print_exc()
            print("apex is not installed; falling back to torch.autocast", flush=True)
            amp = None
        m = torch.nn.Linear(8, 1); opt = torch.optim.Adam(m.parameters())
        for step in range(5):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = m(torch.randn(16, 8)).float().pow(2).mean()
            opt.zero_grad(); loss.backward(); opt.step()
            print(f"step {step} loss {loss.item():.4f}")
        print("training complete")
        '''), jobs=5),
    P("ok-atexit-noise", "no_failure", "torch", D('''
        import atexit, io, torch, jobhelper
        jobhelper.banner("metrics-flush")
        buf = io.StringIO()
        def flush_metrics():
            buf.write("final\\n")
        atexit.register(flush_metrics)
        m = torch.nn.Linear(4, 1)
        for step in range(4):
            l = m(torch.randn(8, 4)).pow(2).mean(); l.backward()
            buf.write(f"{step},{l.item()}\\n")
        print("metrics buffered:", len(buf.getvalue().splitlines()))
        buf.close()
        print("job finished")
        '''), jobs=5),
    P("ok-pandas-report", "no_failure", "pandas", D('''
        import numpy as np, pandas as pd, jobhelper
        jobhelper.banner("eval-report")
        df = pd.DataFrame({"split": ["val", "test", "ood"], "error": [0.081, 0.092, 0.311],
                           "n_failed": [0, 0, 2], "exceptions": [0, 0, 0]})
        print(df.to_string(index=False))
        print(f"Errors: 0  Failures: 0  worst split error={df.error.max():.3f}")
        jobhelper.warmup(3, tag="calib")
        '''), jobs=5),
    P("ok-tf-function", "no_failure", "tensorflow", D('''
        import tensorflow as tf, jobhelper
        jobhelper.banner("tf-fn", steps=20)
        w = tf.Variable(tf.zeros([4, 1])); opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal([64, 4]); y = tf.reduce_sum(x, 1, keepdims=True)
        @tf.function
        def step():
            with tf.GradientTape() as t:
                loss = tf.reduce_mean((x @ w - y) ** 2)
            opt.apply_gradients([(t.gradient(loss, w), w)])
            return loss
        for i in range(20):
            l = step()
            if i % 5 == 0:
                tf.print("step", i, "mse", l)
        tf.get_logger().warning("gradient clipping disabled; no failure expected for this convex problem")
        print("final mse error %.5f" % float(l))
        '''), jobs=5),
    P("ok-pool-retry", "no_failure", "stdlib", D('''
        import concurrent.futures as cf, os, jobhelper
        jobhelper.banner("preprocess", workers=2)
        seen = set()
        def work(i, attempt):
            if i == 3 and attempt == 0:
                raise ValueError(f"corrupt shard header in shard-{i:03d} (will retry)")
            return i * i
        results, failed = {}, []
        with cf.ThreadPoolExecutor(2) as ex:
            for attempt in range(2):
                todo = [i for i in range(8) if i not in results]
                futs = {ex.submit(work, i, attempt): i for i in todo}
                for f in cf.as_completed(futs):
                    i = futs[f]
                    try:
                        results[i] = f.result()
                    except ValueError as e:
                        print(f"task {i} failed: {e!r}; retrying", flush=True)
        print(f"all {len(results)} tasks done, 0 failed")
        '''), jobs=5),
    P("ok-resume-scratch", "no_failure", "torch", D('''
        import os, warnings, torch, jobhelper
        jobhelper.banner("resume", ckpt="checkpoints/last.pt")
        if os.path.exists("checkpoints/last.pt"):
            state = torch.load("checkpoints/last.pt")
        else:
            print("No checkpoint found at checkpoints/last.pt; starting from scratch", flush=True)
        warnings.warn("torch.cuda.amp.GradScaler is deprecated; use torch.amp.GradScaler('cuda') instead", DeprecationWarning)
        m = torch.nn.Linear(3, 1)
        jobhelper.warmup(5)
        os.makedirs("checkpoints", exist_ok=True)
        torch.save(m.state_dict(), "checkpoints/last.pt")
        print("saved checkpoint checkpoints/last.pt (missing keys: 0, unexpected keys: 0)")
        '''), jobs=5),
]

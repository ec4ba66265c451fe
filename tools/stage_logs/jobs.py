"""The stage-log jobs: which program each runs, how its output is laid out, and what it should yield.

Each job runs one program from programs/ that fails for real (a Python exception raised by real
PyTorch Lightning / transformers / Keras / PyTorch code) in a known stage of its life. `stage` and
`category` are what a careful triager says (taxonomy.md); `failure` is a regular expression for the
exception line of the final traceback (the `Type: message` line), searched in the file that holds
the program's stderr. `gpus` and `retries` are pretended (no GPUs here) and go into the job's metadata
file; a job without them gets no metadata file, so its duration can only come from its log
timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass

SPLIT = None  # stdout.txt + stderr.txt


@dataclass(frozen=True)
class JobSpec:
    name: str
    framework: str
    program: str
    stage: str
    category: str
    failure: str
    gpus: int | None = None
    retries: int | None = None
    merged_log: str | None = SPLIT  # a single file holding stdout and stderr, as `> log 2>&1` makes
    args: tuple[str, ...] = ()


JOBS = (
    # PyTorch Lightning: stdout.txt (model summary, progress bar) + stderr.txt (info lines, traceback)
    JobSpec("lightning-tabular-clf", "lightning", "lit_tabular.py", "initialisation", "key_not_found",
            r"^KeyError: 'adamw'", gpus=1, retries=2, args=("--optimizer", "adamw")),
    JobSpec("lightning-ner-tagger", "lightning", "lit_tagger.py", "training", "unexpected_encoding",
            r"^UnicodeDecodeError: 'ascii' codec can't decode", gpus=2, retries=0),
    JobSpec("lightning-housing-reg", "lightning", "lit_housing.py", "validation", "key_not_found",
            r"^KeyError: 'x'", gpus=4, retries=1),
    JobSpec("lightning-fraud-detector", "lightning", "lit_detector.py", "evaluation", "division_by_zero",
            r"^ZeroDivisionError: division by zero", gpus=8, retries=0),
    JobSpec("lightning-passage-ranker", "lightning", "lit_ranker.py", "evaluation", "not_implemented",
            r"^NotImplementedError$", gpus=2, retries=1),
    # Hugging Face transformers Trainer: one merged log, as `python run.py > train.log 2>&1`
    JobSpec("hf-bert-sentiment", "transformers", "hf_sentiment.py", "initialisation", "illegal_argument",
            r"^ValueError: --load_best_model_at_end requires the save and eval strategy to match",
            gpus=1, retries=0, merged_log="train.log"),
    JobSpec("hf-bert-stream", "transformers", "hf_stream.py", "training", "index_out_of_range",
            r"^IndexError: index out of range in self", gpus=4, retries=2, merged_log="train.log"),
    JobSpec("hf-bert-topics", "transformers", "hf_topics.py", "validation", "attribute_not_found",
            r"^AttributeError: 'tuple' object has no attribute 'argmax'", gpus=2, retries=1,
            merged_log="train.log"),
    JobSpec("hf-bert-intents", "transformers", "hf_intents.py", "evaluation", "tensor_mismatch",
            r"^RuntimeError: The expanded size of the tensor \(80\) must match the existing size \(64\)",
            gpus=8, retries=0, merged_log="train.log"),
    # Keras 3 on TensorFlow: stdout.txt (progress bars) + stderr.txt (TF's C++ log, traceback)
    JobSpec("keras-fusion-cnn", "keras", "keras_fusion.py", "initialisation", "tensor_mismatch",
            r"^ValueError: A `Concatenate` layer requires inputs with matching shapes", gpus=2, retries=0),
    JobSpec("keras-shard-mlp", "keras", "keras_shards.py", "training", "index_out_of_range",
            r"^tensorflow\.python\.framework\.errors_impl\.InvalidArgumentError: Graph execution error:",
            gpus=1, retries=1),
    JobSpec("keras-churn-mlp", "keras", "keras_churn.py", "validation", "tensor_mismatch",
            r"^ValueError: Exception encountered when calling Sequential\.call\(\)\.", gpus=1, retries=0),
    JobSpec("keras-domain-cnn", "keras", "keras_domains.py", "evaluation", "path_not_found",
            r"^FileNotFoundError: \[Errno 2\] No such file or directory: 'data/test_painting\.npz'",
            gpus=4, retries=2),
    # plain PyTorch loops: progress and logging timestamps on stdout, the traceback on stderr
    JobSpec("torch-seq2seq-wmt", "pytorch", "torch_seq2seq.py", "initialisation", "type_mismatch",
            r"^TypeError: unsupported operand type\(s\) for \+: 'PosixPath' and 'str'", gpus=8, retries=2),
    JobSpec("torch-regression-warmup", "pytorch", "torch_regression.py", "training", "loss_nan",
            r"^FloatingPointError: Loss is nan at step \d+, stopping training"),
    JobSpec("torch-kws-speech", "pytorch", "torch_kws.py", "validation", "division_by_zero",
            r"^ZeroDivisionError: float division by zero"),
    JobSpec("torch-ner-tagger", "pytorch", "torch_ner.py", "evaluation", "null_reference",
            r"^TypeError: 'NoneType' object is not subscriptable"),
)

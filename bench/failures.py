"""Failures in the frameworks' own wording, and what launchers print after them.

Each ``Spec`` is one failure of one category: a template of lines with ``$name`` fields filled from
a job's variables (paths, sizes, ids). In a template, the line ``@tb`` expands to a Python
traceback header and frames (the spec's ``frames`` stack under the job's own frames), and the line
that starts with ``>>`` is *the* failure line: the one a careful reader names as what ended the job,
whose line number goes into the expectations file.

The wording comes from the rule examples in rules/*.yaml and the sample logs, with paths, numbers
and names varied.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from string import Template

from loglines import HOSTS, Clock

FAILURE_MARK = ">>"
TRACEBACK_MARK = "@tb"


@dataclass(frozen=True)
class Spec:
    category: str  # a catalogue id, or "unclassified"
    frames: str  # the framework stack under the job's frames: a key of STACKS, or "" for none
    template: str
    weight: float = 1.0
    call: str = ""  # the job's own code line that entered the failing stack (default: ENTRY_CALLS)
    shell: bool = False  # printed by the shell, pip or the scheduler, not by one (rank's) Python process


@dataclass(frozen=True)
class Rendered:
    """A failure's lines and which of them is the failure line."""

    lines: list[str]
    failure_index: int
    category: str
    attachable: bool  # can it start on an unfinished progress bar's line (a traceback, a shell's "Killed")


# The framework frames of each stack, innermost last: (file, line, function, code).
STACKS = {
    "fwd": [
        ("$site/torch/nn/modules/module.py", 1778, "_wrapped_call_impl", "return self._call_impl(*args, **kwargs)"),
        ("$site/torch/nn/modules/module.py", 1789, "_call_impl", "return forward_call(*args, **kwargs)"),
        ("$app/models/$model_file", 0, "forward", "x = self.layers(x)"),
        ("$site/torch/nn/modules/module.py", 1778, "_wrapped_call_impl", "return self._call_impl(*args, **kwargs)"),
        ("$site/torch/nn/modules/module.py", 1789, "_call_impl", "return forward_call(*args, **kwargs)"),
        ("$site/torch/nn/modules/linear.py", 125, "forward", "return F.linear(input, self.weight, self.bias)"),
    ],
    "loader": [
        ("$site/torch/utils/data/dataloader.py", 701, "__next__", "data = self._next_data()"),
        ("$site/torch/utils/data/dataloader.py", 757, "_next_data", "data = self._dataset_fetcher.fetch(index)  # may raise StopIteration"),
        ("$site/torch/utils/data/_utils/fetch.py", 52, "fetch", "data = [self.dataset[idx] for idx in possibly_batched_index]"),
        ("$app/data/$dataset_file", 0, "__getitem__", "sample = self._load(self.items[index])"),
    ],
    "reraise": [
        ("$site/torch/utils/data/dataloader.py", 701, "__next__", "data = self._next_data()"),
        ("$site/torch/utils/data/dataloader.py", 1465, "_next_data", "return self._process_data(data)"),
    ],
    "worker_killed": [
        ("$site/torch/utils/data/dataloader.py", 701, "__next__", "data = self._next_data()"),
        ("$site/torch/utils/data/dataloader.py", 1448, "_next_data", "idx, data = self._get_data()"),
        ("$site/torch/utils/data/dataloader.py", 1412, "_get_data", "success, data = self._try_get_data()"),
        ("$site/torch/utils/data/dataloader.py", 1256, "_try_get_data", "raise RuntimeError(f'DataLoader worker (pid(s) {pids_str}) exited unexpectedly') from e"),
        ("$site/torch/utils/data/_utils/signal_handling.py", 66, "handler", "_error_if_any_worker_fails()"),
    ],
    "backward": [
        ("$site/torch/_tensor.py", 581, "backward", "torch.autograd.backward("),
        ("$site/torch/autograd/__init__.py", 347, "backward", "_engine_run_backward("),
        ("$site/torch/autograd/graph.py", 825, "_engine_run_backward", "return Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass"),
    ],
    "load": [
        ("$site/torch/serialization.py", 1360, "load", "return _load("),
        ("$site/torch/serialization.py", 1848, "_load", "result = unpickler.load()"),
    ],
    "state_dict": [
        ("$site/torch/nn/modules/module.py", 2584, "load_state_dict", "raise RuntimeError("),
    ],
    "optim": [
        ("$site/torch/optim/sgd.py", 28, "__init__", 'raise ValueError(f"Invalid learning rate: {lr}")'),
    ],
    "tf": [
        ("$site/tensorflow/python/client/session.py", 929, "run", "run_metadata_ptr)"),
        ("$site/tensorflow/python/client/session.py", 1152, "_run", "feed_dict_tensor, options, run_metadata)"),
        ("$site/tensorflow/python/client/session.py", 1328, "_do_run", "run_metadata)"),
        ("$site/tensorflow/python/client/session.py", 1348, "_do_call", "raise type(e)(node_def, op, message)"),
    ],
    "keras": [
        ("$site/keras/src/utils/traceback_utils.py", 122, "error_handler", "raise e.with_traceback(filtered_tb) from None"),
        ("$site/tensorflow/python/eager/execute.py", 53, "quick_execute", "tensors = pywrap_tfe.TFE_Py_Execute(ctx._handle, device_name, op_name,"),
    ],
    "hf": [
        ("$site/transformers/trainer.py", 1938, "train", "return inner_training_loop("),
        ("$site/transformers/trainer.py", 2279, "_inner_training_loop", "tr_loss_step = self.training_step(model, inputs)"),
        ("$site/transformers/trainer.py", 3318, "training_step", "loss = self.compute_loss(model, inputs)"),
    ],
    "hf_load": [
        ("$site/transformers/models/auto/tokenization_auto.py", 880, "from_pretrained", "return tokenizer_class_fast.from_pretrained(pretrained_model_name_or_path, *inputs, **kwargs)"),
        ("$site/transformers/tokenization_utils_base.py", 2200, "from_pretrained", "raise EnvironmentError("),
    ],
    "json": [
        ("/usr/lib/python3.10/json/__init__.py", 293, "load", "return loads(fp.read(),"),
        ("/usr/lib/python3.10/json/__init__.py", 346, "loads", "return _default_decoder.decode(s)"),
        ("/usr/lib/python3.10/json/decoder.py", 337, "decode", "obj, end = self.raw_decode(s, idx=_w(s, 0).end())"),
        ("/usr/lib/python3.10/json/decoder.py", 355, "raw_decode", "raise JSONDecodeError(\"Expecting value\", s, err.value) from None"),
    ],
    "pil": [
        ("$site/PIL/Image.py", 984, "convert", "self.load()"),
        ("$site/PIL/ImageFile.py", 288, "load", "raise OSError("),
    ],
    "codecs": [
        ("/usr/lib/python3.10/codecs.py", 322, "decode", "(result, consumed) = self._buffer_decode(data, self.errors, final)"),
    ],
    "subprocess": [
        ("/usr/lib/python3.10/subprocess.py", 971, "__init__", "self._execute_child(args, executable, preexec_fn, close_fds,"),
        ("/usr/lib/python3.10/subprocess.py", 1863, "_execute_child", "raise child_exception_type(errno_num, err_msg, err_filename)"),
    ],
    "c10d": [
        ("$site/torch/distributed/c10d_logger.py", 83, "wrapper", "return func(*args, **kwargs)"),
        ("$site/torch/distributed/distributed_c10d.py", 2501, "all_reduce", "work = group.allreduce([tensor], opts)"),
    ],
    "user": [],
}

# The job's own frames above the stack: the call that enters it is the spec's ``call`` or a default.
ENTRY_CALLS = {
    "fwd": "output = model(batch)",
    "loader": "for step, batch in enumerate(train_loader):",
    "reraise": "for step, batch in enumerate(train_loader):",
    "worker_killed": "for step, batch in enumerate(train_loader):",
    "backward": "loss.backward()",
    "load": 'state = torch.load(args.resume, map_location="cpu")',
    "state_dict": 'model.load_state_dict(state["model"])',
    "optim": "optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)",
    "tf": "_, loss_value = sess.run([train_op, loss], feed_dict=feed)",
    "keras": "model.fit(train_ds, epochs=args.epochs, validation_data=val_ds)",
    "hf": "trainer.train(resume_from_checkpoint=args.resume)",
    "hf_load": "tokenizer = AutoTokenizer.from_pretrained(args.model_name_or_path)",
    "json": "meta = json.load(f)",
    "pil": 'img = Image.open(path).convert("RGB")',
    "codecs": "for line in f:",
    "subprocess": 'subprocess.check_call(["nvcc", "--version"])',
    "c10d": "dist.all_reduce(grad_norm)",
    "user": "value = compute(cfg)",
}

TORCHRUN_SUMMARY = """\
Traceback (most recent call last):
  File "/opt/conda/bin/torchrun", line 8, in <module>
    sys.exit(main())
  File "$site/torch/distributed/elastic/multiprocessing/errors/__init__.py", line 355, in wrapper
    return f(*args, **kwargs)
  File "$site/torch/distributed/run.py", line 919, in main
    run(args)
  File "$site/torch/distributed/run.py", line 910, in run
    elastic_launch(
  File "$site/torch/distributed/launcher/api.py", line 138, in __call__
    return launch_agent(self._config, self._entrypoint, list(args))
  File "$site/torch/distributed/launcher/api.py", line 269, in launch_agent
    raise ChildFailedError(
torch.distributed.elastic.multiprocessing.errors.ChildFailedError: 
============================================================
$script FAILED
------------------------------------------------------------
Failures:
  <NO_OTHER_FAILURES>
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : ${date}_$hms
  host      : $host
  rank      : $rank (local_rank: $rank)
  exitcode  : 1 (pid: $pid)
  error_file: <N/A>
  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html
============================================================"""

EPILOGUES = {
    "none": "",
    "runner": """\
[$date $hms.100] Launch command finished with exit code 1
[$date $hms.500] Job $appid FAILED after 1 attempt(s)
[$date $hms.900] Uploading logs to /var/storage/shared/$vc/sys/jobs/$appid/logs""",
    "torchrun": "$glog_e torch/distributed/elastic/multiprocessing/api.py:826] failed (exitcode: 1) local_rank: $rank "
    "(pid: $pid) of binary: /opt/conda/bin/python\n" + TORCHRUN_SUMMARY,
    "mpirun": """\
-------------------------------------------------------
Primary job  terminated normally, but 1 process returned
a non-zero exit code. Per user-direction, the job has been aborted.
-------------------------------------------------------
--------------------------------------------------------------------------
mpirun detected that one or more processes exited with non-zero status, thus causing
the job to be terminated. The first process to do so was:

  Process name: [[$mpiid,1],$rank]
  Exit code:    1
--------------------------------------------------------------------------""",
    "deepspeed": """\
[$date $hms,310] [INFO] [launch.py:319:sigkill_handler] Killing subprocess $pid
[$date $hms,733] [ERROR] [launch.py:325:sigkill_handler] ['/usr/bin/python', '-u', '$script', '--local_rank=$rank'] exits with return code = 1""",
    "srun": "srun: error: $node: task $rank: Exited with exit code 1",
}
EPILOGUE_WEIGHTS = {"none": 25, "runner": 35, "torchrun": 22, "mpirun": 6, "deepspeed": 6, "srun": 6}
SHELL_EPILOGUES = ("none", "runner", "srun")  # after the shell's own error no launcher reports a child


def _s(category: str, frames: str, *lines: str, weight: float = 1.0, call: str = "", shell: bool = False) -> Spec:
    return Spec(category, frames, "\n".join(lines), weight, call, shell)


def _tb(category: str, frames: str, exception: str, *after: str, weight: float = 1.0, call: str = "") -> Spec:
    """A traceback through ``frames`` that ends with the ``exception`` line (and ``after`` lines)."""
    return _s(category, frames, TRACEBACK_MARK, FAILURE_MARK + exception, *after, weight=weight, call=call)


SPECS = (
    # --- deep_learning -----------------------------------------------------------------------------
    _tb("gpu_out_of_memory", "fwd", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate $alloc GiB. GPU $gpu has a "
        "total capacity of $total GiB of which $free MiB is free. Including non-PyTorch memory, this process has $used GiB "
        "memory in use. Of the allocated memory $pt GiB is allocated by PyTorch, and $res MiB is reserved by PyTorch but "
        "unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True "
        "to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        weight=3),
    _tb("gpu_out_of_memory", "backward", "RuntimeError: CUDA out of memory. Tried to allocate $mib MiB (GPU $gpu; $total GiB total "
        "capacity; $used GiB already allocated; $free MiB free; $pt GiB reserved in total by PyTorch)", weight=2),
    _s("gpu_out_of_memory", "fwd",
       "THCudaCheck FAIL file=/pytorch/aten/src/THC/generic/THCStorage.cu line=58 error=2 : out of memory",
       TRACEBACK_MARK,
       ">>RuntimeError: cuda runtime error (2) : out of memory at /pytorch/aten/src/THC/generic/THCStorage.cu:58"),
    _s("gpu_out_of_memory", "tf",
       "$date $hms.$micros: W tensorflow/core/common_runtime/bfc_allocator.cc:275] Allocator (GPU_0_bfc) ran out of memory "
       "trying to allocate $mib.00MiB.  Current allocation summary follows.",
       "@bfc",
       TRACEBACK_MARK,
       ">>tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[$bsz,256,56,56] "
       "and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
       "\t [[Node: resnet_model/conv2d_12/Conv2D = Conv2D[T=DT_FLOAT, data_format=\"NCHW\", padding=\"SAME\", strides=[1, 1, 1, 1], "
       "use_cudnn_on_gpu=true, _device=\"/job:localhost/replica:0/task:0/device:GPU:0\"](resnet_model/Relu_9, resnet_model/conv2d_12/kernel/read)]]",
       "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to "
       "RunOptions for current allocation info.", weight=2),
    _tb("gpu_out_of_memory", "user", "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to "
        "allocate $bytes bytes.", call='loss, grads = train_step(state, batch)'),
    _tb("gpu_out_of_memory", "fwd", "RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"),
    _tb("gpu_out_of_memory", "c10d", "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/"
        "ProcessGroupNCCL.cpp:1691, unhandled cuda error (run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3",
        "ncclUnhandledCudaError: Call to CUDA function failed.", "Last error:", "Cuda failure 'out of memory'"),

    _tb("cpu_out_of_memory", "user", "numpy.core._exceptions._ArrayMemoryError: Unable to allocate $gib GiB for an array with "
        "shape ($n, $m) and data type float64", weight=2, call='features = np.zeros((num_rows, num_cols))'),
    _tb("cpu_out_of_memory", "user", "MemoryError", call='cache = [load_example(p) for p in paths]'),
    _s("cpu_out_of_memory", "",
       ">>terminate called after throwing an instance of 'std::bad_alloc'", "  what():  std::bad_alloc",
       "Aborted (core dumped)"),
    _s("cpu_out_of_memory", "", ">>$app/run.sh: line $ln: $pid Killed                  python $script --epochs 90 --batch-size $bsz",
       weight=2, shell=True),
    _tb("cpu_out_of_memory", "worker_killed", "RuntimeError: DataLoader worker (pid $pid2) is killed by signal: Killed. ", weight=2),
    _s("cpu_out_of_memory", "", ">>slurmstepd: error: Detected 1 oom-kill event(s) in StepId=$jobid.0. Some of your processes "
       "may have been killed by the cgroup out-of-memory handler.", "srun: error: $node: task 0: Out Of Memory", shell=True),
    _tb("cpu_out_of_memory", "user", "RuntimeError: [enforce fail at alloc_cpu.cpp:114] data. DefaultCPUAllocator: not enough "
        "memory: you tried to allocate $bytes bytes.", call='table = torch.empty(vocab_size, args.dim)'),

    _tb("framework_api_misuse", "tf", "tensorflow.python.framework.errors_impl.FailedPreconditionError: Attempting to use "
        "uninitialized value conv1/weights",
        "\t [[Node: conv1/weights/read = Identity[T=DT_FLOAT, _class=[\"loc:@conv1/weights\"], "
        "_device=\"/job:localhost/replica:0/task:0/device:GPU:0\"](conv1/weights)]]"),
    _tb("framework_api_misuse", "user", "ValueError: Variable rnn/basic_lstm_cell/kernel already exists, disallowed. Did you mean "
        "to set reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined at:", "",
        "  File \"$app/$script\", line $ln2, in build_model", "    outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)",
        call='logits = build_model(inputs)'),
    _tb("framework_api_misuse", "backward", "RuntimeError: Trying to backward through the graph a second time (or directly access "
        "saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call "
        ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
        "if you need to access saved tensors after calling backward."),
    _tb("framework_api_misuse", "fwd", "RuntimeError: Expected all tensors to be on the same device, but found at least two "
        "devices, cuda:0 and cpu! (when checking argument for argument mat1 in method wrapper_CUDA_addmm)", weight=2),
    _tb("framework_api_misuse", "user", "TypeError: softmax() got an unexpected keyword argument 'axis'",
        call='probs = F.softmax(logits, axis=-1)'),
    _tb("framework_api_misuse", "user", "ValueError: decay is deprecated in the new Keras optimizer, please check the docstring "
        "for valid arguments, or use the legacy optimizer, e.g., tf.keras.optimizers.legacy.SGD.",
        call='optimizer = tf.keras.optimizers.SGD(learning_rate=args.lr, decay=1e-6)'),

    _tb("tensor_mismatch", "fwd", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (${bsz}x$k and ${k2}x$m)", weight=2),
    _tb("tensor_mismatch", "fwd", "RuntimeError: The size of tensor a ($n3) must match the size of tensor b ($n4) at "
        "non-singleton dimension 1"),
    _tb("tensor_mismatch", "state_dict", "RuntimeError: Error(s) in loading state_dict for ResNet:",
        "\tMissing key(s) in state_dict: \"conv1.weight\", \"bn1.weight\", \"bn1.bias\", \"bn1.running_mean\", \"bn1.running_var\".",
        "\tUnexpected key(s) in state_dict: \"module.conv1.weight\", \"module.bn1.weight\", \"module.bn1.bias\"."),
    _tb("tensor_mismatch", "keras", "ValueError: Input 0 of layer \"dense\" is incompatible with the layer: expected axis -1 of "
        "input shape to have value 784, but received input with shape (None, 28)"),
    _tb("tensor_mismatch", "keras", "ValueError: Shapes (None, 10) and (None, 1) are incompatible"),
    _tb("tensor_mismatch", "tf", "tensorflow.python.framework.errors_impl.NotFoundError: Key conv1/kernel not found in checkpoint",
        "\t [[node save/RestoreV2 (defined at $app/$script:$ln) ]]"),
    _tb("tensor_mismatch", "keras", "tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:", "",
        "Detected at node 'mean_squared_error/SquaredDifference' defined at (most recent call last):",
        "    File \"$app/$script\", line $ln, in <module>", "Node: 'mean_squared_error/SquaredDifference'",
        "Incompatible shapes: [$bsz,10] vs. [$bsz,5]",
        "\t [[{{node mean_squared_error/SquaredDifference}}]] [Op:__inference_train_function_$n]"),

    _tb("loss_nan", "user", "ValueError: Model diverged with loss = NaN.",
        call='estimator.train(input_fn=train_input_fn, max_steps=args.steps)'),
    _s("loss_nan", "backward",
       "$site/torch/autograd/graph.py:744: UserWarning: Error detected in LogBackward0. Traceback of forward call that caused the error:",
       "  File \"$app/$script\", line $ln, in <module>", "    main()",
       "  File \"$app/$script\", line $ln2, in train_step", "    loss = -torch.log(probs).mean()",
       " (Triggered internally at ../torch/csrc/autograd/python_anomaly_mode.cpp:111.)",
       "  return Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass",
       TRACEBACK_MARK, ">>RuntimeError: Function 'LogBackward0' returned nan values in its 0th output."),
    _tb("loss_nan", "tf", "tensorflow.python.framework.errors_impl.InvalidArgumentError: loss : Tensor had NaN values",
        "\t [[Node: CheckNumerics = CheckNumerics[T=DT_FLOAT, message=\"loss\", "
        "_device=\"/job:localhost/replica:0/task:0/device:GPU:0\"](add)]]"),
    _s("loss_nan", "user",
       "| WARNING: overflow detected, setting loss scale to: 0.0001", TRACEBACK_MARK,
       ">>FloatingPointError: Minimum loss scale reached (0.0001). Your loss is probably exploding. Try lowering the "
       "learning rate, using gradient clipping or increasing the batch size."),
    _tb("loss_nan", "user", "AssertionError: loss is nan at step $step",
        call='assert not torch.isnan(loss), f"loss is nan at step {step}"'),
    _tb("loss_nan", "user", "RuntimeError: The total norm of order 2.0 for gradients from `parameters` is non-finite, so it "
        "cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
        "`error_if_nonfinite=False`",
        call='torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip, error_if_nonfinite=True)'),

    # --- execution_environment -------------------------------------------------------------------
    _tb("library_not_found", "user", "ModuleNotFoundError: No module named '$mod'", weight=3, call='import $mod'),
    _tb("library_not_found", "user", "ImportError: $lib: cannot open shared object file: No such file or directory", weight=2,
        call='import tensorflow as tf'),
    _s("library_not_found", "", ">>bash: nvidia-smi: command not found", shell=True),
    _s("library_not_found", "", ">>$app/run.sh: line $ln: $cmd: command not found", shell=True),
    _s("library_not_found", "", ">>/bin/sh: 1: horovodrun: not found", shell=True),
    _s("library_not_found", "", ">>/usr/bin/python3: No module named torch.distributed.run", shell=True),
    _tb("library_not_found", "user", "ImportError: cannot import name 'container_abcs' from 'torch._six' ($site/torch/_six.py)",
        call='from torch._six import container_abcs'),
    _s("library_not_found", "",
       ">>ERROR: Could not find a version that satisfies the requirement tensorflow-gpu==1.3.0 (from versions: 2.2.0, 2.2.1, "
       "2.2.2, 2.2.3, 2.3.0, 2.3.1, 2.3.2, 2.3.3, 2.3.4, 2.4.0, 2.4.1, 2.4.2, 2.4.3, 2.4.4)",
       "ERROR: No matching distribution found for tensorflow-gpu==1.3.0", shell=True),
    _tb("library_not_found", "subprocess", "FileNotFoundError: [Errno 2] No such file or directory: 'nvcc': 'nvcc'"),

    _tb("path_not_found", "user", "FileNotFoundError: [Errno 2] No such file or directory: '$data/$datafile'", weight=4,
        call='with open(args.train_file) as f:'),
    _s("path_not_found", "", ">>/usr/bin/python3: can't open file '$app/$script': [Errno 2] No such file or directory"),
    _s("path_not_found", "", ">>cp: cannot stat '$out/model.pt': No such file or directory", weight=2, shell=True),
    _s("path_not_found", "", ">>$app/run.sh: line $ln: cd: $data: No such file or directory", shell=True),
    _tb("path_not_found", "tf", "tensorflow.python.framework.errors_impl.NotFoundError: $data/train-00000-of-01024; No such file "
        "or directory", weight=2),
    _tb("path_not_found", "user", "OSError: checkpoint $ckpt does not exist", weight=2,
        call='raise OSError(f"checkpoint {path} does not exist")'),
    _tb("path_not_found", "user", "ValueError: No files matched pattern: $data/shards/*.tfrecord",
        call='files = tf.data.Dataset.list_files(args.train_pattern, shuffle=True)'),
    _tb("path_not_found", "hf_load", "OSError: Can't load tokenizer for '$models/bert-base-uncased'. If you were trying to load "
        "it from 'https://huggingface.co/models', make sure you don't have a local directory with the same name. Otherwise, "
        "make sure '$models/bert-base-uncased' is the correct path to a directory containing all relevant files for a "
        "BertTokenizerFast tokenizer."),

    _tb("permission_denied", "user", "PermissionError: [Errno 13] Permission denied: '$out/model.pt'", weight=2,
        call='torch.save(model.state_dict(), os.path.join(args.output_dir, "model.pt"))'),
    _s("permission_denied", "",
       ">>ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: '$site/tqdm'",
       "Consider using the `--user` option or check the permissions.", "", shell=True),
    _s("permission_denied", "", ">>/bin/sh: 1: ./run.sh: Permission denied", shell=True),
    _tb("permission_denied", "user", "OSError: [Errno 30] Read-only file system: '$data/cache'",
        call='os.makedirs(cache_dir, exist_ok=True)'),

    # --- general_code --------------------------------------------------------------------------------
    _s("illegal_argument", "",
       "usage: $script [-h] [--lr LR] [--epochs EPOCHS] [--batch-size BATCH_SIZE]",
       "                [--data DATA] [--resume RESUME] [--fp16]",
       ">>$script: error: argument --lr: invalid float value: '1e-3x'"),
    _s("illegal_argument", "",
       "usage: $script [-h] [--lr LR] [--epochs EPOCHS] [--batch-size BATCH_SIZE]",
       "                [--data DATA] [--resume RESUME] [--fp16]",
       ">>$script: error: unrecognized arguments: --gpus $ngpu"),
    _tb("illegal_argument", "user", "ValueError: invalid literal for int() with base 10: '$word'", weight=2,
        call='num_layers = int(cfg["num_layers"])'),
    _tb("illegal_argument", "optim", "ValueError: Invalid learning rate: -0.1"),
    _tb("illegal_argument", "loader", "ValueError: num_samples should be a positive integer value, but got num_samples=0"),

    _tb("type_mismatch", "user", "TypeError: unsupported operand type(s) for +: 'PosixPath' and 'str'", weight=2,
        call='log_file = args.output_dir + "/train.log"'),
    _tb("type_mismatch", "user", "TypeError: can only concatenate str (not \"int\") to str", weight=2,
        call='logger.info("finished epoch " + epoch)'),
    _tb("type_mismatch", "fwd", "RuntimeError: expected scalar type Long but found Float", weight=2),
    _tb("type_mismatch", "user", "TypeError: 'int' object is not callable", call='loss = criterion(output, target)'),

    _tb("key_not_found", "user", "KeyError: '$key'", weight=2, call='value = cfg["$key"]'),
    _s("key_not_found", "reraise",
       TRACEBACK_MARK,
       "  File \"$site/torch/utils/data/dataloader.py\", line 1345, in _process_data",
       "    data.reraise()",
       "  File \"$site/torch/_utils.py\", line 722, in reraise",
       "    raise exception",
       "KeyError: Caught KeyError in DataLoader worker process 0.",
       "Original Traceback (most recent call last):",
       "  File \"$site/torch/utils/data/_utils/worker.py\", line 308, in _worker_loop",
       "    data = fetcher.fetch(index)",
       "  File \"$app/data/$dataset_file\", line $ln, in __getitem__",
       "    label = record[\"label\"]",
       ">>KeyError: 'label'", weight=2),

    _tb("attribute_not_found", "user", "AttributeError: 'Namespace' object has no attribute '$attr'", weight=2,
        call='value = args.$attr'),
    _tb("attribute_not_found", "user", "AttributeError: module 'tensorflow' has no attribute 'placeholder'", weight=2,
        call='x = tf.placeholder(tf.float32, [None, 784])'),

    _tb("null_reference", "user", "AttributeError: 'NoneType' object has no attribute 'shape'", weight=2,
        call='h, w = image.shape[:2]'),
    _tb("null_reference", "user", "TypeError: 'NoneType' object is not subscriptable",
        call='label = sample["label"][0]'),
    _tb("null_reference", "user", "TypeError: cannot unpack non-iterable NoneType object",
        call='inputs, targets = prepare_batch(batch)'),

    _s("syntax_error", "",
       "  File \"$app/$script\", line $ln", "    print \"epoch\", epoch", "    ^^^^^^^^^^^^^^^^^^^^",
       ">>SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?"),
    _s("syntax_error", "",
       "Traceback (most recent call last):", "  File \"$app/$script\", line 5, in <module>", "    from models.net import Net",
       "  File \"$app/models/net.py\", line $ln", "    return x", ">>IndentationError: unexpected indent"),
    _s("syntax_error", "", ">>$app/run.sh: line $ln: syntax error near unexpected token `fi'", "$app/run.sh: line $ln: `fi'", shell=True),

    _tb("undefined_variable", "user", "NameError: name '$name' is not defined", weight=2,
        call='log_summary(epoch, $name)'),
    _tb("undefined_variable", "user", "$unbound", call='return loss.item()'),
    _s("undefined_variable", "", ">>$app/run.sh: line $ln: DATA_DIR: unbound variable", shell=True),

    _tb("index_out_of_range", "user", "IndexError: list index out of range", weight=2, call='path = checkpoints[-1]'),
    _tb("index_out_of_range", "user", "IndexError: index $n5 is out of bounds for dimension 0 with size $n5",
        call='label = labels[idx]'),
    _tb("index_out_of_range", "fwd", "IndexError: Target $n5 is out of bounds."),
    _s("index_out_of_range", "fwd",
       "@assert",
       TRACEBACK_MARK,
       ">>RuntimeError: CUDA error: device-side assert triggered",
       "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
       "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.",
       "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.", ""),
    _tb("index_out_of_range", "fwd", "IndexError: index out of range in self"),

    _tb("not_implemented", "fwd", "NotImplementedError: Module [$model] is missing the required \"forward\" function"),
    _tb("not_implemented", "fwd", "RuntimeError: \"addmm_impl_cpu_\" not implemented for 'Half'"),
    _tb("not_implemented", "user", "NotImplementedError: Subclasses must implement evaluate()",
        call='metrics = evaluator.evaluate()'),

    _tb("division_by_zero", "user", "ZeroDivisionError: division by zero", call='avg_loss = total_loss / num_batches'),
    _tb("division_by_zero", "user", "ZeroDivisionError: integer division or modulo by zero",
        call='if step % args.log_every == 0:'),
    _tb("division_by_zero", "user", "ZeroDivisionError: float division by zero", call='acc = correct / float(total)'),

    # --- data ------------------------------------------------------------------------------------
    _tb("corrupt_data", "load", "_pickle.UnpicklingError: pickle data was truncated"),
    _tb("corrupt_data", "user", "EOFError: Ran out of input", call='vocab = pickle.load(f)'),
    _tb("corrupt_data", "json", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
    _tb("corrupt_data", "json", "json.decoder.JSONDecodeError: Unterminated string starting at: line 1 column $n (char $n6)"),
    _tb("corrupt_data", "pil", "OSError: image file is truncated ($n7 bytes not processed)"),
    _tb("corrupt_data", "user", "zipfile.BadZipFile: File is not a zip file",
        call='with zipfile.ZipFile(args.archive) as archive:'),
    _tb("corrupt_data", "tf", "tensorflow.python.framework.errors_impl.DataLossError: corrupted record at $n",
        "\t [[{{node IteratorGetNext}}]]"),
    _tb("corrupt_data", "load", "RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory"),

    _tb("unexpected_encoding", "codecs", "UnicodeDecodeError: 'ascii' codec can't decode byte 0xe2 in position $n7: ordinal not "
        "in range(128)"),
    _tb("unexpected_encoding", "user", "UnicodeEncodeError: 'latin-1' codec can't encode characters in position 0-3: ordinal "
        "not in range(256)", call='sys.stdout.write(line)'),
    _tb("unexpected_encoding", "codecs", "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x8b in position 1: invalid start byte"),
)

# Jobs stopped from outside or dying without a message: outside the taxonomy.
UNCLASSIFIED_SPECS = (
    _s("unclassified", "", ">>slurmstepd: error: *** JOB $jobid ON $node CANCELLED AT ${date}T$hms DUE TO TIME LIMIT ***",
       "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.", shell=True),
    _s("unclassified", "", ">>Segmentation fault (core dumped)", shell=True),
)

CATEGORY_WEIGHTS = {
    "path_not_found": 14, "illegal_argument": 8, "type_mismatch": 7, "library_not_found": 8, "gpu_out_of_memory": 9,
    "cpu_out_of_memory": 6, "permission_denied": 4, "key_not_found": 5, "attribute_not_found": 4, "null_reference": 4,
    "syntax_error": 3, "undefined_variable": 3, "index_out_of_range": 5, "not_implemented": 2, "division_by_zero": 2,
    "framework_api_misuse": 5, "tensor_mismatch": 6, "loss_nan": 3, "corrupt_data": 4, "unexpected_encoding": 2,
}


def pick_spec(rng: random.Random, tracebacks_only: bool = False, categories: tuple = tuple(CATEGORY_WEIGHTS),
              python_only: bool = False) -> Spec:
    """A failure: its category by CATEGORY_WEIGHTS, then one of the category's specs by weight.

    ``tracebacks_only`` keeps Python tracebacks; ``python_only`` leaves out what the shell prints.
    """
    categories = list(categories)
    while True:
        category = rng.choices(categories, weights=[CATEGORY_WEIGHTS[c] for c in categories])[0]
        specs = [s for s in SPECS if s.category == category and (not tracebacks_only or TRACEBACK_MARK in s.template)
                 and not (python_only and s.shell)]
        if specs:
            return rng.choices(specs, weights=[s.weight for s in specs])[0]


# --- job variables ---------------------------------------------------------------------------------

USERS = ("kliu", "xzhang", "v-wenhui", "ywang", "jchen", "amehta", "tsato", "mgarcia", "hli", "rkumar")
VCS = ("msrlabs", "bingads", "resrchvc", "nlp", "vision", "speech")
PROJECTS = ("bert-pretrain", "resnet50", "nmt", "dlrm", "gpt-small", "detr", "wav2vec", "unet", "ppo", "vit-b16")
SCRIPTS = ("train.py", "main.py", "run_pretraining.py", "train_net.py", "finetune.py", "ddp_train.py")
MODULES = ("horovod", "apex", "deepspeed", "flash_attn", "tensorboardX", "sentencepiece", "pycocotools", "timm")
LIBS = ("libcudnn.so.7", "libcublas.so.10.0", "libcudart.so.9.0", "libnccl.so.2", "libGL.so.1")
COMMANDS = ("nvidia-smi", "horovodrun", "gsutil", "azcopy", "hdfs", "mpirun")
KEYS = ("learning_rate", "label", "input_ids", "model_state", "optimizer", "num_classes", "best_acc1")
ATTRS = ("warmup_steps", "local_rank", "fp16", "grad_accum", "save_dir", "num_workers")
NAMES = ("best_acc", "args", "global_step", "scaler", "val_loader", "tokenizer")
WORDS = ("abc", "auto", "", "1e-3", "none", "4x", "3.5")
DATA_FILES = ("train.csv", "annotations/instances_train2017.json", "vocab.txt", "train.jsonl", "labels.npy", "meta.pkl")
MODELS = ("GPT", "Net", "ResNet", "Encoder", "Seq2Seq", "UNet")
TOTALS = ("15.77", "31.74", "79.15", "11.17", "22.38", "39.59")


def job_vars(rng: random.Random, name: str, pyver: str, clock: Clock) -> dict[str, str]:
    """The values a job's failure templates and launcher lines are filled with."""
    user, vc, project = rng.choice(USERS), rng.choice(VCS), rng.choice(PROJECTS)
    app = rng.choice((f"/philly/rr1/{vc}/{user}/{project}", "/app", f"/workspace/{project}", f"/home/{user}/{project}"))
    site = {
        "3.8": "/usr/local/lib/python3.8/dist-packages",
        "3.10": "/usr/local/lib/python3.10/site-packages",
        "3.11": "/opt/conda/lib/python3.11/site-packages",
    }[pyver]
    total = rng.choice(TOTALS)
    ngpu = rng.choice((2, 4, 8))
    k = rng.choice((128, 256, 512, 768, 784, 1024, 2048))
    unbound = (
        "UnboundLocalError: cannot access local variable 'loss' where it is not associated with a value"
        if pyver == "3.11" else "UnboundLocalError: local variable 'loss' referenced before assignment"
    )
    return {
        "user": user, "vc": vc, "app": app, "site": site, "script": rng.choice(SCRIPTS),
        "data": rng.choice((f"/hdfs/{vc}/{user}/data/{project}", f"/mnt/data/{project}", f"/data/{project}")),
        "ckpt": f"/mnt/ckpt/{project}/checkpoint_{rng.randint(1, 300)}.pt",
        "out": rng.choice((f"/philly/rr1/{vc}/{user}/outputs/{name}", f"/mnt/output/{project}", "/output")),
        "models": rng.choice(("/mnt/models", f"/hdfs/{vc}/{user}/pretrained", "/data/hf")),
        "host": rng.choice(HOSTS), "node": f"gpu-node-{rng.randint(1, 64):02d}",
        "pid": str(rng.randint(1000, 65000)), "pid2": str(rng.randint(1000, 65000)),
        "ln": str(rng.randint(5, 400)), "ln2": str(rng.randint(20, 900)),
        "gpu": str(rng.randint(0, 7)), "ngpu": str(ngpu), "rank": str(rng.randrange(ngpu)),
        "alloc": f"{rng.uniform(0.02, 12):.2f}", "mib": f"{rng.choice((20, 64, 128, 256, 392, 1024, 3072))}",
        "total": total, "free": f"{rng.uniform(1, 900):.2f}", "used": f"{float(total) * rng.uniform(0.9, 0.99):.2f}",
        "pt": f"{float(total) * rng.uniform(0.8, 0.9):.2f}", "res": f"{rng.uniform(10, 900):.2f}",
        "gib": f"{rng.uniform(8, 300):.1f}", "bytes": str(rng.randint(2, 64) * 1073741824),
        "bsz": str(rng.choice((16, 32, 64, 128, 256))), "k": str(k), "k2": str(k + rng.choice((1, 16, 128, -64))),
        "m": str(rng.choice((10, 100, 256, 1000, 4096))), "n": str(rng.randint(12, 99999)),
        "n3": str(rng.randint(2, 9)), "n4": str(rng.randint(10, 99)), "n5": str(rng.choice((10, 100, 1000, 21128))),
        "n6": str(rng.randint(100, 99999)), "n7": str(rng.randint(1, 900)),
        "step": str(rng.randint(100, 300000)), "key": rng.choice(KEYS), "attr": rng.choice(ATTRS),
        "name": rng.choice(NAMES), "word": rng.choice(WORDS), "mod": rng.choice(MODULES), "lib": rng.choice(LIBS),
        "cmd": rng.choice(COMMANDS), "datafile": rng.choice(DATA_FILES), "model": rng.choice(MODELS),
        "model_file": rng.choice(("resnet.py", "transformer.py", "net.py", "gpt.py")),
        "dataset_file": rng.choice(("dataset.py", "coco.py", "loader.py", "records.py")),
        "unbound": unbound, "jobid": str(rng.randint(100000, 9999999)), "mpiid": str(rng.randint(1000, 65000)),
        "appid": f"application_{rng.randint(1530000000, 1545000000)}_{rng.randint(1, 9999):04d}",
        "date": clock.date, "hms": clock.hms(),
        "micros": f"{rng.randint(0, 999999):06d}", "glog_e": clock.glog("E").rstrip(),
    }


# --- rendering -----------------------------------------------------------------------------------


def _carets(code: str) -> str:
    """Python 3.11's caret line under a frame's code: under the call after ``x = `` or ``return ``."""
    start = 0
    for lead in ("return ", "= "):
        at = code.find(lead)
        if at >= 0:
            start = at + len(lead)
            break
    return "    " + " " * start + "^" * max(1, len(code) - start)


def traceback_lines(rng: random.Random, spec: Spec, values: dict, pyver: str) -> list[str]:
    """A traceback header and frames: the job's own frames, then the spec's framework frames."""
    app, script = values["app"], values["script"]
    call = spec.call or ENTRY_CALLS[spec.frames]
    frames = [
        (f"{app}/{script}", rng.randint(200, 400), "<module>", "main()"),
        (f"{app}/{script}", rng.randint(100, 199), "main", "train(args, model, optimizer)"),
        (f"{app}/{script}", rng.randint(30, 99), rng.choice(("train", "train_one_epoch", "run")), call),
    ]
    frames += STACKS[spec.frames]
    lines = ["Traceback (most recent call last):"]
    for path, number, function, code in frames:
        path, code = Template(path).substitute(values), Template(code).safe_substitute(values)
        number = number or rng.randint(20, 300)
        lines.append(f'  File "{path}", line {number}, in {function}')
        lines.append(f"    {code}")
        if pyver == "3.11" and rng.random() < 0.6 and not code.endswith(("(", ",")):
            lines.append(_carets(code))
    return lines


def bfc_dump(rng: random.Random, values: dict) -> list[str]:
    """TensorFlow's allocator summary printed before an OOM: dozens of INFO lines."""
    stamp = f"{values['date']} {values['hms']}.{values['micros']}"
    lines = []
    for size in range(8, 8 + rng.randint(20, 120)):
        chunk = 256 << (size % 21)
        lines.append(
            f"{stamp}: I tensorflow/core/common_runtime/bfc_allocator.cc:{1000 + size}] Bin ({chunk}): \tTotal Chunks: "
            f"{rng.randint(0, 500)}, Chunks in use: {rng.randint(0, 500)}. {rng.uniform(0, 900):.1f}MiB allocated for chunks. "
            f"{rng.uniform(0, 900):.1f}MiB in use in bin. {rng.uniform(0, 900):.1f}MiB client-requested in use in bin."
        )
    return lines


def device_asserts(rng: random.Random) -> list[str]:
    """CUDA's index-bounds assertion, once per failing GPU thread."""
    return [
        f"/pytorch/aten/src/ATen/native/cuda/Indexing.cu:1146: indexSelectLargeIndex: block: [{rng.randint(0, 400)},0,0], "
        f"thread: [{rng.randint(0, 127)},0,0] Assertion `srcIndex < srcSelectDimSize` failed."
        for _ in range(rng.randint(1, 32))
    ]


def render_failure(rng: random.Random, spec: Spec, values: dict, pyver: str) -> Rendered:
    """The spec's lines with the job's values, and the index of its failure line."""
    lines: list[str] = []
    failure_index = -1
    for raw in Template(spec.template).substitute(values).split("\n"):
        if raw == TRACEBACK_MARK:
            lines += traceback_lines(rng, spec, values, pyver)
        elif raw == "@bfc":
            lines += bfc_dump(rng, values)
        elif raw == "@assert":
            lines += device_asserts(rng)
        elif raw.startswith(FAILURE_MARK):
            failure_index = len(lines)
            lines.append(raw[len(FAILURE_MARK):])
        else:
            lines.append(raw)
    assert failure_index >= 0, spec
    attachable = lines[0].startswith("Traceback") or " Killed " in lines[0]
    return Rendered(lines, failure_index, spec.category, attachable)


def render_epilogue(rng: random.Random, values: dict, kind: str = "", shell: bool = False) -> list[str]:
    """What a launcher prints after the job's process failed (possibly nothing)."""
    kinds = SHELL_EPILOGUES if shell else tuple(EPILOGUE_WEIGHTS)
    kind = kind or rng.choices(kinds, weights=[EPILOGUE_WEIGHTS[k] for k in kinds])[0]
    text = Template(EPILOGUES[kind]).substitute(values)
    return text.split("\n") if text else []

"""Masking and fingerprints: the same kind of failure, with other numbers, paths and ids, matches."""

from __future__ import annotations

import hashlib

import pytest

from philly_triage._internal.pipeline.fingerprint import LENGTH, fingerprint
from philly_triage._internal.pipeline.masking import mask

# Each pair: two messages of the same failure as two jobs (or two nights) print them.
SAME = [
    ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 15.78 GiB",
     "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.06 GiB. GPU 3 has a total capacity of 79.15 GiB"),
    ("FileNotFoundError: [Errno 2] No such file or directory: '/data/imagenet/train/n01440764.tar'",
     "FileNotFoundError: [Errno 2] No such file or directory: '/mnt/blob/run-7/shard_0003.tar'"),
    ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x129 and 128x256)",
     "RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x1025 and 1024x10)"),
    ("RuntimeError: Given groups=1, weight of size [64, 3, 7, 7], expected input[8, 1, 224, 224] to have 3 channels",
     "RuntimeError: Given groups=1, weight of size [32, 3, 3, 3], expected input[16, 4, 32, 32] to have 3 channels"),
    ("[Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=12, OpType=ALLREDUCE, "
     "NumelIn=1048576, Timeout(ms)=600000) ran for 600012 milliseconds before timing out.",
     "[Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=98211, OpType=ALLREDUCE, "
     "NumelIn=4, Timeout(ms)=1800000) ran for 1800391 milliseconds before timing out."),
    ("torch.distributed.DistNetworkError: Connection reset by peer at 10.0.0.12:29500",
     "torch.distributed.DistNetworkError: Connection reset by peer at 172.16.4.201:41234"),
    ("RuntimeError: CUDA error: an illegal memory access was encountered at 0x7f3a2c000000",
     "RuntimeError: CUDA error: an illegal memory access was encountered at 0x55d0c0de"),
    ("2024-05-01T12:00:03.123Z ERROR could not open s3://bucket/a/file.bin",
     "2025-11-30 23:59:59,001 ERROR could not open s3://other/b/c/part-00001.bin"),
    ("RuntimeError: DataLoader worker (pid 6200) is killed by signal: Killed.",
     "RuntimeError: DataLoader worker (pid 128733) is killed by signal: Killed."),
    ("docker: Error response from daemon: container 3f2a9b1c8d7e0011 is not running",
     "docker: Error response from daemon: container 9c1d7e2b44aa0f3e is not running"),
]

# Each pair: two different failures that must stay apart.
DIFFERENT = [
    ("ModuleNotFoundError: No module named 'horovod'", "ModuleNotFoundError: No module named 'apex'"),
    ("KeyError: 'lr'", "KeyError: 'optimizer'"),
    ("RuntimeError: expected scalar type Float but found Half", "RuntimeError: expected scalar type Float but found Double"),
    ("TypeError: unsupported operand type(s) for +: 'int' and 'str'", "TypeError: 'NoneType' object is not subscriptable"),
]


@pytest.mark.parametrize("first,second", SAME)
def test_the_same_failure_with_other_values_has_one_template(first, second):
    assert mask(first) == mask(second)
    assert fingerprint("some_category", first) == fingerprint("some_category", second)


@pytest.mark.parametrize("first,second", DIFFERENT)
def test_different_failures_keep_different_fingerprints(first, second):
    assert fingerprint("c", first) != fingerprint("c", second)


def test_names_with_digits_are_kept():
    assert mask("found float16 in conv2d on sm_80 with libcudart.so.11.0") == (
        "found float16 in conv2d on sm_80 with libcudart.so.11.0"
    )


def test_what_the_masks_make_of_a_message():
    assert mask("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0") == (
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate <n> <unit>. GPU <n>"
    )
    assert mask("No such file or directory: '/data/x/train.txt'") == "No such file or directory: '<path>'"
    assert mask("shapes (32x129 and 128x256)") == "shapes (<shape> and <shape>)"
    assert mask("KeyError: 'lr'", quoted=True) == "KeyError: <str>"


def test_the_category_is_part_of_the_fingerprint():
    message = "RuntimeError: something went wrong"
    assert fingerprint("loss_nan", message) != fingerprint("unclassified", message)
    assert len(fingerprint("loss_nan", message)) == LENGTH


def test_a_fingerprint_is_the_documented_hash():
    # Baselines written by earlier runs depend on this definition: change FINGERPRINT_VERSION with it.
    text = "gpu_out_of_memory\nCUDA out of memory. Tried to allocate <n> <unit>"
    expected = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert fingerprint("gpu_out_of_memory", "CUDA out of memory. Tried to allocate 2.00 GiB") == expected == "b12d6d14e0ef241f"


def test_messages_that_are_not_text_still_mask():
    assert fingerprint("c", None) == fingerprint("c", "")
    assert isinstance(mask("\udcff\x00 bytes 12"), str)

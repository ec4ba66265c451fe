"""Syntax errors: scripts that do not compile (no Traceback line when the main script is broken),
modules that fail on import (a Traceback), and shell scripts that do not parse."""

from .spec import Prog

SYNTAX = [
    Prog("py2-print", "syntax_error", "stdlib", """
    import sys
    print "loading data from", sys.argv
    """, expect=r"^SyntaxError: Missing parentheses in call to 'print'", jobs=3),
    Prog("unexpected-indent", "syntax_error", "stdlib", """
    import os
    def main():
        lr = 0.1
          epochs = 10
    main()
    """, expect=r"^IndentationError: unexpected indent", jobs=2),
    Prog("taberror", "syntax_error", "stdlib",
         "import os\ndef main():\n    for i in range(3):\n        x = i\n\ty = x\nmain()\n",
         expect=r"^TabError: inconsistent use of tabs and spaces in indentation", jobs=2),
    Prog("import-broken-module", "syntax_error", "torch", """
    import engine
    log = engine.get_logger("train")
    engine.numpy_train(log)
    log.info("building model")
    from models.resnet import build
    """, files={"models/__init__.py": "", "models/resnet.py": """
    import torch.nn as nn
    def build(depth):
        layers = [nn.Conv2d(3, 64, 7)
        for i in range(depth):
            layers.append(nn.ReLU())
        return nn.Sequential(*layers)
    """}, expect=r"^SyntaxError: ", jobs=2),
    Prog("expected-indented-block", "syntax_error", "stdlib", """
    import engine
    def train():
        for epoch in range(10):
        print(epoch)
    train()
    """, expect=r"^IndentationError: expected an indented block after 'for' statement"),
    Prog("sh-unexpected-fi", "syntax_error", "shell", """
    #!/bin/bash
    echo "preparing"
    if [ -d /mnt/data ]; then
        echo "data present"
    else
    fi
    python train.py
    """, kind="shell", expect=r"syntax error near unexpected token", jobs=2),
    Prog("unterminated-string", "syntax_error", "stdlib", """
    import os
    DATA = "/mnt/data/train
    print(DATA)
    """, expect=r"^SyntaxError: unterminated string literal"),
    Prog("py2-except-comma", "syntax_error", "stdlib", """
    import json
    try:
        cfg = json.load(open("cfg.json"))
    except IOError, e:
        cfg = {}
    """, expect=r"^SyntaxError: multiple exception types must be parenthesized"),
    Prog("async-keyword", "syntax_error", "stdlib", """
    def make_loader(path, async=True):
        return path
    make_loader("x")
    """, expect=r"^SyntaxError: invalid syntax"),
    Prog("bash-c-eof", "syntax_error", "shell", """
    #!/bin/bash
    CMD="python train.py --name \\"exp 7"
    bash -c "$CMD"
    """, kind="shell", expect=r"unexpected EOF while looking for matching"),
    Prog("paren-never-closed", "syntax_error", "stdlib", """
    import engine
    log = engine.get_logger("train")
    cfg = dict(lr=0.1, epochs=(10,
    log.info("cfg %s", cfg)
    """, expect=r"^SyntaxError: '\(' was never closed"),
]

PROGRAMS = SYNTAX

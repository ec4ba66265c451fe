"""The subcommands of ``triage``: each module parses one command's options and wires the parts."""

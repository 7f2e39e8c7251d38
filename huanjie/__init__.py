"""The composition root: the `huanjie` command line, which wires workflow, web and scheduler together."""

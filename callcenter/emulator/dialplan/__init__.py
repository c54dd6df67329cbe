"""The emulator's dialplan: it reads and executes the shipped `asterisk_conf/extensions.conf`.

`parser` reads the file, `patterns` matches extensions, `substitution` and `expressions` expand
`${...}` and `$[...]`, `functions` holds the dialplan functions, `apps` the applications, and
`interpreter` runs one task per channel through it all.
"""

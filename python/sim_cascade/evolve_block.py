"""The template's EVOLVE-BLOCK: splice a text into it, and check that a program changed nothing
outside it (OpenEvolve does not enforce the markers; sim-cascade's own evolve does).
"""

from __future__ import annotations

START = "// EVOLVE-BLOCK-START"
END = "// EVOLVE-BLOCK-END"


class EvolveBlockError(ValueError):
    """A text without exactly one well-ordered pair of markers."""


def split(text: str) -> tuple[str, str, str]:
    """`(before, block, after)`: `before` ends with the start marker's line, `after` starts with
    the end marker's line. O(length of text)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == START]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    if len(starts) != 1 or len(ends) != 1 or starts[0] >= ends[0]:
        raise EvolveBlockError(
            f"expected one '{START}' line before one '{END}' line, found {len(starts)} and {len(ends)}")
    s, e = starts[0], ends[0]
    return "".join(lines[: s + 1]), "".join(lines[s + 1: e]), "".join(lines[e:])


def splice(template: str, text: str) -> str:
    """The template with its block replaced: by `text`'s block when `text` has the markers
    (a whole program), else by `text` itself (the block's body)."""
    before, _, after = split(template)
    try:
        _, block, _ = split(text)
    except EvolveBlockError:
        block = text
    if block and not block.endswith("\n"):
        block += "\n"
    return before + block + after


def _normalized(part: str) -> list[str]:
    # Trailing spaces and a final newline are not changes a model should be refused for.
    return [line.rstrip() for line in part.rstrip("\n").split("\n")]


def outside_change(template: str, program: str) -> str | None:
    """`None` when `program` equals `template` outside the EVOLVE-BLOCK (trailing whitespace
    aside); else what differs, in one line."""
    before, _, after = split(template)
    try:
        p_before, _, p_after = split(program)
    except EvolveBlockError as error:
        return f"the program's EVOLVE-BLOCK markers are not the template's: {error}"
    for name, t, p in (("before", before, p_before), ("after", after, p_after)):
        t_lines, p_lines = _normalized(t), _normalized(p)
        if t_lines != p_lines:
            for k, (a, b) in enumerate(zip(t_lines, p_lines)):
                if a != b:
                    return f"line {k + 1} {name} the EVOLVE-BLOCK changed: {b.strip()!r} (template: {a.strip()!r})"
            return f"the code {name} the EVOLVE-BLOCK has {len(p_lines)} lines, the template's {len(t_lines)}"
    return None

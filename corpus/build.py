"""Build the stand-in PDFs of corpus/pdf/ from corpus/catalog.toml and corpus/text/*.txt.

    .venv/bin/python corpus/build.py            # all publications with a text source
    .venv/bin/python corpus/build.py ID ...     # only these

The PDFs look like an agency's: a title page, a running header and a footer with page
numbers, embedded TrueType subset fonts (DejaVu, so å/ä/ö, ș/ț and Cyrillic work), words
hyphenated at line ends by a small typesetter, tables, and one two-column page. English text
is set with fi/fl ligature glyphs and the Romanian brochure page with the cedilla letters
ş/ţ that older Romanian PDFs carry, so extraction must undo both. Output is deterministic
(fixed dates and file id), so rebuilding an unchanged source gives the same bytes.

The markup of the text sources is described in corpus/text/FORMAT.md. Needs fpdf2 (a dev
dependency) and the DejaVu fonts (Debian: fonts-dejavu-core).
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), HERE / "fonts"]
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, TOP, BOTTOM = 25.0, 30.0, 272.0
BODY_SIZE, LEADING = 10.5, 5.4
COLUMN_GAP = 8.0
VOWELS = set("aeiouyåäöéèæøăâîáíóúüаеёиоуыэюяъ" + "AEIOUYÅÄÖÉÆØĂÂÎАЕЁИОУЫЭЮЯ")
LIGATURES = (("ffi", "\ufb03"), ("ffl", "\ufb04"), ("fi", "\ufb01"), ("fl", "\ufb02"))
ROMANIAN_CEDILLA = str.maketrans({"ș": "ş", "Ș": "Ş", "ț": "ţ", "Ț": "Ţ"})
BLUE = (0, 61, 120)


def font_file(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    sys.exit(
        f"build.py: font {name} not found in {', '.join(map(str, FONT_DIRS))} "
        "(apt-get install fonts-dejavu-core)"
    )


@dataclass
class Block:
    kind: str  # heading | para | table | page | columns
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    lang: str | None = None


def parse_source(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", " ".join(para)))
            para.clear()
        if rows:
            blocks.append(Block("table", rows=list(rows)))
            rows.clear()

    for line in text.splitlines():
        line = line.strip()
        if line.startswith("@page"):
            flush()
            parts = line.split()
            blocks.append(Block("page", lang=parts[1] if len(parts) > 1 else None))
        elif line == "@columns":
            flush()
            blocks.append(Block("columns"))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("heading", line[2:].strip()))
        elif line.startswith("|"):
            if para:
                flush()
            rows.append([c.strip() for c in line.strip("|").split("|")])
        elif not line:
            flush()
        else:
            if rows:
                flush()
            para.append(line)
    flush()
    return blocks


def hyphen_points(word: str) -> list[int]:
    """Where `word` may be broken: after an existing hyphen, or before a consonant that
    starts a new syllable (V-CV), keeping three letters on each side."""
    points = [i + 1 for i, ch in enumerate(word[:-1]) if ch == "-" and i >= 1]
    for i in range(3, len(word) - 2):
        a, b, c = word[i - 1], word[i], word[i + 1]
        if (
            a.isalpha()
            and b.isalpha()
            and c.isalpha()
            and b not in VOWELS
            and c in VOWELS
            and any(ch in VOWELS for ch in word[:i])
            and "-" not in word[i - 1 : i + 1]
        ):
            points.append(i)
    return sorted(set(points))


class Publication(FPDF):
    def __init__(self, entry: dict, header_text: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.entry = entry
        self.header_text = header_text
        self.set_auto_page_break(False)
        self.set_margins(MARGIN_X, TOP, MARGIN_X)
        for style, name in (
            ("", "DejaVuSans.ttf"),
            ("B", "DejaVuSans-Bold.ttf"),
            ("I", "DejaVuSans-Oblique.ttf"),
        ):
            self.add_font("DejaVu", style, str(font_file(name)))
        for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf")):
            self.add_font("DejaVuSerif", style, str(font_file(name)))
        self.columns = 1
        self.column = 0
        self.y_pos = TOP
        self.lang = "sv"

    # -- running header and footer -------------------------------------------------------
    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.text(MARGIN_X, 16, self.header_text)
        self.set_draw_color(*BLUE)
        self.set_line_width(0.3)
        self.line(MARGIN_X, 18.5, PAGE_W - MARGIN_X, 18.5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        label = str(self.page_no())
        self.text(PAGE_W - MARGIN_X - self.get_string_width(label), 284, label)
        self.text(MARGIN_X, 284, " · ".join(self.entry.get("authors", [])))
        self.set_text_color(0, 0, 0)

    # -- geometry --------------------------------------------------------------------------
    @property
    def col_width(self) -> float:
        full = PAGE_W - 2 * MARGIN_X
        return (
            full if self.columns == 1 else (full - COLUMN_GAP * (self.columns - 1)) / self.columns
        )

    @property
    def col_x(self) -> float:
        return MARGIN_X + self.column * (self.col_width + COLUMN_GAP)

    def new_page(self) -> None:
        self.columns, self.column = 1, 0
        self.add_page()
        self.y_pos = TOP

    def need(self, height: float) -> None:
        if self.y_pos + height <= BOTTOM:
            return
        if self.column + 1 < self.columns:
            self.column += 1
            self.y_pos = self.column_top
        else:
            self.new_page()

    # -- text ----------------------------------------------------------------------------
    def typeset(self, text: str) -> str:
        if self.lang == "en":
            for plain, lig in LIGATURES:
                text = text.replace(plain, lig)
        if self.lang == "ro":
            text = text.translate(ROMANIAN_CEDILLA)
        return text

    def break_lines(self, words: list[str], width: float) -> list[str]:
        lines: list[str] = []
        line = ""
        pending = list(words)
        while pending:
            word = pending.pop(0)
            candidate = f"{line} {word}" if line else word
            if self.get_string_width(self.typeset(candidate)) <= width:
                line = candidate
                continue
            split = None
            for point in reversed(hyphen_points(word)):
                head = word[:point] if word[point - 1] == "-" else word[:point] + "-"
                trial = f"{line} {head}" if line else head
                if self.get_string_width(self.typeset(trial)) <= width:
                    split = (trial, word[point:])
                    break
            if split:
                lines.append(split[0])
                line = ""
                pending.insert(0, split[1])
            elif line:
                lines.append(line)
                line = ""
                pending.insert(0, word)
            else:  # a single word wider than the line
                lines.append(word)
        if line:
            lines.append(line)
        return lines

    def paragraph(
        self,
        text: str,
        size: float = BODY_SIZE,
        style: str = "",
        family: str = "DejaVuSerif",
        after: float = 2.6,
    ) -> None:
        self.set_font(family, style, size)
        leading = LEADING * size / BODY_SIZE
        for line in self.break_lines(text.split(), self.col_width):
            self.need(leading)
            self.text(self.col_x, self.y_pos + leading * 0.8, self.typeset(line))
            self.y_pos += leading
        self.y_pos += after

    def heading(self, text: str) -> None:
        self.need(LEADING * 4)
        self.y_pos += 2.5
        self.set_text_color(*BLUE)
        self.paragraph(text, size=13, style="B", family="DejaVu", after=1.8)
        self.set_text_color(0, 0, 0)

    def table(self, rows: list[list[str]]) -> None:
        self.set_font("DejaVu", "", 8.5)
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = [
            max(self.get_string_width(self.typeset(r[c])) for r in rows) + 4 for c in range(ncols)
        ]
        scale = min(1.0, self.col_width / sum(widths))
        widths = [w * scale for w in widths]
        height = 6.0
        self.need(height * min(len(rows), 4))
        for n, row in enumerate(rows):
            self.need(height)
            x = self.col_x
            self.set_font("DejaVu", "B" if n == 0 else "", 8.5)
            if n == 0:
                self.set_fill_color(220, 230, 242)
            for width, cell in zip(widths, row, strict=False):
                self.set_xy(x, self.y_pos)
                self.cell(width, height, self.typeset(cell), border=1, fill=(n == 0))
                x += width
            self.y_pos += height
        self.y_pos += 4

    def start_columns(self) -> None:
        self.columns, self.column = 2, 0
        self.column_top = self.y_pos

    # -- title page ------------------------------------------------------------------------
    def title_page(self) -> None:
        e = self.entry
        self.add_page()
        self.set_fill_color(*BLUE)
        self.rect(0, 0, PAGE_W, 80, style="F")
        self.set_text_color(255, 255, 255)
        self.set_font("DejaVu", "B", 12)
        self.text(MARGIN_X, 20, " · ".join(e.get("authors", [])))
        self.set_text_color(0, 0, 0)
        self.y_pos = 100
        self.set_text_color(*BLUE)
        self.paragraph(e["title"], size=24, style="B", family="DejaVu", after=4)
        self.set_text_color(0, 0, 0)
        if e.get("subtitle"):
            self.paragraph(e["subtitle"], size=15, family="DejaVu", after=10)
        authors = ", ".join(e.get("authors", []))
        self.paragraph(authors, size=11, family="DejaVu", after=2)
        self.paragraph(str(e.get("year", "")), size=11, family="DejaVu", after=2)
        self.new_page()


def build(entry: dict, source: Path, out: Path) -> int:
    authors = ", ".join(entry.get("authors", []))
    pdf = Publication(
        entry, f"{entry['title']}" + (f" – {entry['subtitle']}" if entry.get("subtitle") else "")
    )
    pdf.header_text = pdf.header_text if len(pdf.header_text) < 95 else entry["title"]
    pdf.set_title(entry["title"] + (f" – {entry['subtitle']}" if entry.get("subtitle") else ""))
    pdf.set_author(authors)
    pdf.set_subject(entry.get("description", ""))
    pdf.set_creator("pubsearch corpus/build.py")
    pdf.set_lang(entry["languages"][0])
    date = datetime(entry.get("year", 2016), 3, 1, tzinfo=UTC)
    pdf.set_creation_date(date)
    pdf.file_id = lambda: (
        "<"
        + entry["id"].encode().hex()[:32].ljust(32, "0")
        + "><"
        + entry["id"].encode().hex()[:32].ljust(32, "0")
        + ">"
    )
    pdf.lang = entry["languages"][0]
    pdf.title_page()
    first = True
    for block in parse_source(source.read_text(encoding="utf-8")):
        if block.kind == "page":
            if block.lang:
                pdf.lang = block.lang
            if not first:
                pdf.new_page()
        elif block.kind == "columns":
            pdf.start_columns()
        elif block.kind == "heading":
            pdf.heading(block.text)
        elif block.kind == "para":
            pdf.paragraph(block.text)
        elif block.kind == "table":
            pdf.table(block.rows)
        first = False if block.kind in ("page", "heading", "para", "table") else first
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return pdf.page_no()


def main(argv: list[str]) -> None:
    catalog = tomllib.loads((HERE / "catalog.toml").read_text(encoding="utf-8"))
    for entry in catalog["publication"]:
        if not entry.get("file") or (argv and entry["id"] not in argv):
            continue
        source = HERE / "text" / f"{entry['id']}.txt"
        if not source.is_file():
            print(f"build.py: {source} missing; skipped", file=sys.stderr)
            continue
        pages = build(entry, source, HERE / "pdf" / entry["file"])
        print(f"{entry['file']}: {pages} pages")


if __name__ == "__main__":
    main(sys.argv[1:])

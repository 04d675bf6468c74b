"""Every example of docs/inbound-contract.md passes the codec as the page says: structured examples as
values alone, the binary one as its value with its headers, and both forms of the payment are one event."""
import re
from pathlib import Path

from shared.events.codec import decode

PAGE = Path(__file__).resolve().parents[2] / "docs" / "inbound-contract.md"


def examples() -> dict[str, tuple[bytes, list[tuple[str, bytes]]]]:
    """Each example section's title: (value, headers)."""
    text = PAGE.read_text().split("\n## Examples\n", 1)[1]
    found = {}
    for section in text.split("\n### ")[1:]:
        title = section.splitlines()[0]
        header_block = re.search(r"```\n(ce_.*?)```", section, re.S)
        headers = [(name, value.encode()) for name, _, value in
                   (line.partition(": ") for line in header_block.group(1).splitlines())] if header_block else []
        found[title] = (re.search(r"```json\n(.*?)```", section, re.S).group(1).encode(), headers)
    return found


def test_every_example_is_read_and_the_binary_payment_is_the_structured_one():
    read = {title: decode(value, headers) for title, (value, headers) in examples().items()}
    assert len(read) == 7
    binary = next(d for title, d in read.items() if "binary mode" in title)
    structured = read["`loan.payment_received` (key `L-2026-000123`)"]
    assert binary.data == structured.data
    assert binary.envelope.model_dump(exclude={"datacontenttype"}) == structured.envelope.model_dump(
        exclude={"datacontenttype"})

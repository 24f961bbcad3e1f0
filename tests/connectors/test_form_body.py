"""Every signed call's form body: what any form decoder (the emulators', `parse_qsl`) reads back
is exactly the fields sent, in their order, whatever they hold."""

import json
from urllib.parse import parse_qsl, urlencode

from hypothesis import given
from hypothesis import strategies as st

from connectors.http import form_body
from sandbox.forms import urlencoded

# Any text a field can carry; lone surrogates have no UTF-8 and never reach a form.
TEXT = st.text(st.characters(exclude_categories=("Cs",)))


@given(st.dictionaries(TEXT, TEXT, max_size=8))
def test_a_form_decoder_reads_back_exactly_the_fields_sent_in_order(fields: dict[str, str]) -> None:
    assert parse_qsl(form_body(fields).decode("ascii"), keep_blank_values=True) == list(
        fields.items()
    )


@given(st.dictionaries(TEXT, TEXT, max_size=8))
def test_it_decodes_as_the_stdlib_encoding_of_the_same_fields_does(fields: dict[str, str]) -> None:
    assert urlencoded(form_body(fields), strict=True) == urlencoded(urlencode(fields).encode())


def test_a_create_param_with_the_form_s_own_delimiters_survives_the_trip() -> None:
    param = json.dumps(
        {"title": "夏季 T恤 A&B=1+1 100%棉; #爆款 /?", "skuList": [{"skuNick": "红色 + XL"}]},
        ensure_ascii=False,
    )
    fields = {"appkey": "ks-app", "method": "open.item.new", "param": param, "sign": "a+b/c="}
    assert urlencoded(form_body(fields), strict=True) == fields

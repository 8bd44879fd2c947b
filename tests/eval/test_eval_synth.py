from __future__ import annotations

import random

from eval.synth import UNITS, detect_city, make_synthetic_corpus, place_names, rename_city, shuffle_units, synth_copy

DOC = (
    "中山市人民政府\n(一)推行首席质量官制度。(市市场监管局、市商务局按职责分工负责)\n"
    "(二)设立专项资金。(责任单位:市财政局)\n(三)建设产品医院。(市质监局牵头会市发改局等单位负责)\n"
    "(四)加强培训。(粤府〔2020〕10号)\n中山市场监管。"
)


def test_place_names_keep_cities_and_drop_suffix():
    rows = [{"name": "阳江市"}, {"name": "怀仁县"}, {"name": "虹口区"}, {"name": "阳江市"}, {"name": "市"}]
    assert place_names(rows) == ["阳江"]
    assert place_names(rows, "市县") == ["阳江", "怀仁"]


def test_detect_city_counts_names_written_as_places():
    places = ["中山", "长治", "怀仁", "汕头"]
    assert detect_city(DOC, places) == "中山"
    assert detect_city("汕頭市質量強市。汕頭企業。", places) == "汕头"   # traditional text
    assert detect_city("长治久安,长治久安。", places) is None          # never written as 长治市
    assert detect_city("怀仁县;怀仁小米;怀仁绿豆", places) == "怀仁"


def test_rename_city_keeps_the_script():
    assert rename_city("汕頭市質監局;汕头", "汕头", "广州") == "廣州市質監局;广州"
    assert rename_city("中山市", "中山", "阳江") == "阳江市"


def test_shuffle_units_permutes_only_the_units():
    out = shuffle_units(DOC, random.Random(3))
    assert sorted(UNITS.findall(out)) == sorted(UNITS.findall(DOC)) and len(UNITS.findall(DOC)) == 3
    assert UNITS.sub("", out) == UNITS.sub("", DOC)
    assert "(粤府〔2020〕10号)" in out
    assert any(shuffle_units(DOC, random.Random(s)) != DOC for s in range(5))


def test_national_document_gets_a_reissuing_city():
    text = "质量强国建设纲要\n(十九)加快质量技术创新应用。"
    assert synth_copy(text, None, "阳江", random.Random(0)).startswith("阳江市人民政府转发\n质量强国")


def test_make_synthetic_corpus(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(DOC, encoding="utf-8")
    (src / "README.md").write_text("not a document", encoding="utf-8")
    report = make_synthetic_corpus(src, out, 3, seed=1)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["a.txt", "a_x0001.txt", "a_x0002.txt"] and report.files == 3
    assert (out / "a.txt").read_text(encoding="utf-8") == DOC
    copies = [(out / f).read_text(encoding="utf-8") for f in files[1:]]
    assert all("中山" not in c for c in copies) and copies[0] != copies[1]
    assert report.cities_used == 2

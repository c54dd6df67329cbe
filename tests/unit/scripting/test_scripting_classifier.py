"""Appeal classifier: shipped tree, cascading children, path validation, merging files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from callcenter.scripting import ClassifierError, ClassifierTree, DataFileError, OperatorGuide


def _tree_data(category: str = "housing", obj: str = "apartment_building") -> dict[str, Any]:
    return {
        "categories": [
            {
                "code": category,
                "label": "ЖКХ",
                "children": [
                    {
                        "code": "heating",
                        "label": "Отопление",
                        "children": [
                            {
                                "code": "no_heating",
                                "label": "Нет отопления",
                                "children": [{"code": obj, "label": "Многоквартирный дом"}],
                            }
                        ],
                    }
                ],
            }
        ]
    }


def _tree(*datasets: dict[str, Any]) -> ClassifierTree:
    tree = ClassifierTree()
    for i, data in enumerate(datasets):
        tree.add_data(f"file{i}.yaml", data)
    return tree


def test_shipped_tree_validates_the_documented_example(guide: OperatorGuide) -> None:
    result = guide.classifier.validate("housing.heating.no_heating.apartment_building")
    assert result.labels == ("ЖКХ", "Отопление", "Отсутствие отопления", "Многоквартирный дом")
    assert result.title == "ЖКХ / Отопление / Отсутствие отопления / Многоквартирный дом"


def test_shipped_tree_includes_the_extension_file(guide: OperatorGuide) -> None:
    codes = guide.classifier.leaf_codes()
    assert "transport.roads.potholes.city_street" in codes  # added by appeals_roads.yaml
    assert "transport.public_transport.driver_behavior.bus" in codes  # from appeals.yaml
    assert len(codes) >= 50
    categories = {node.code for node in guide.classifier.children()}
    assert categories >= {"housing", "passport", "social", "medical", "transport", "ecology"}


def test_children_feed_cascading_selects() -> None:
    tree = _tree(_tree_data())
    (category,) = tree.children()
    assert (category.code, category.level, category.is_leaf) == ("housing", "category", False)
    (sub,) = tree.children("housing")
    assert (sub.code, sub.level) == ("housing.heating", "subcategory")
    (fact,) = tree.children("housing.heating")
    assert fact.level == "fact"
    (obj,) = tree.children("housing.heating.no_heating")
    assert (obj.code, obj.level, obj.is_leaf) == (
        "housing.heating.no_heating.apartment_building",
        "object",
        True,
    )
    assert tree.children(obj.code) == ()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("housing.heating.no_heating", "must have 4 levels"),
        ("housing.heating.no_heating.apartment_building.floor", "must have 4 levels"),
        (
            "housing.water.no_heating.apartment_building",
            "unknown subcategory 'water' under housing",
        ),
        ("housing.heating.no_heating.villa", "unknown object 'villa'"),
        ("roads.x.y.z", "unknown category 'roads' under the root"),
        ("housing..no_heating.x", "malformed"),
    ],
)
def test_invalid_paths_are_rejected_clearly(code: str, message: str) -> None:
    with pytest.raises(ClassifierError, match=message):
        _tree(_tree_data()).validate(code)


def test_path_can_be_given_as_segments() -> None:
    tree = _tree(_tree_data())
    code = tree.validate(["housing", "heating", "no_heating", "apartment_building"]).code
    assert code == "housing.heating.no_heating.apartment_building"


def test_second_file_adds_branches_under_existing_nodes() -> None:
    extension = _tree_data(obj="private_house")
    del extension["categories"][0]["label"]  # an existing node may be referenced by code only
    tree = _tree(_tree_data(), extension)
    objects = {n.code for n in tree.children("housing.heating.no_heating")}
    assert objects == {
        "housing.heating.no_heating.apartment_building",
        "housing.heating.no_heating.private_house",
    }


def test_duplicate_object_across_files_is_rejected_and_tree_unchanged() -> None:
    tree = _tree(_tree_data())
    duplicate = _tree_data()
    duplicate["categories"].insert(0, _tree_data("social", "family")["categories"][0])
    with pytest.raises(DataFileError) as info:
        tree.add_data("extra.yaml", duplicate)
    assert "duplicate code 'housing.heating.no_heating.apartment_building'" in str(info.value)
    assert "already defined in file0.yaml" in str(info.value)
    assert info.value.source == "extra.yaml"
    assert [n.code for n in tree.children()] == ["housing"]  # 'social' was not half-merged


def test_conflicting_label_is_rejected() -> None:
    other = _tree_data(obj="private_house")
    other["categories"][0]["label"] = "Коммунальное хозяйство"
    with pytest.raises(DataFileError, match="conflicts with 'ЖКХ'"):
        _tree(_tree_data(), other)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda d: d["categories"][0].update(code="Housing"), "must match"),
        (lambda d: d["categories"].append(dict(d["categories"][0])), "duplicate code 'housing' in"),
        (lambda d: d["categories"][0].pop("children"), "required key is missing"),
        (lambda d: d["categories"][0].update(colour="red"), "unknown key"),
    ],
)
def test_malformed_files(mutate: Any, problem: str) -> None:
    data = _tree_data()
    mutate(data)
    with pytest.raises(DataFileError, match=problem):
        _tree(data)


def test_object_with_children_is_rejected() -> None:
    data = _tree_data()
    leaf = data["categories"][0]["children"][0]["children"][0]["children"][0]
    leaf["children"] = [{"code": "floor", "label": "Этаж"}]
    with pytest.raises(DataFileError, match="object has no children"):
        _tree(data)


def test_from_files_reads_yaml(tmp_path: Path) -> None:
    path = tmp_path / "tree.yaml"
    path.write_text(
        "categories:\n"
        "  - code: a\n    label: А\n    children:\n"
        "      - code: b\n        label: Б\n        children:\n"
        "          - code: c\n            label: В\n            children:\n"
        "              - {code: d, label: Г}\n",
        encoding="utf-8",
    )
    assert ClassifierTree.from_files([path]).leaf_codes() == ("a.b.c.d",)

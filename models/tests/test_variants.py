"""geosift_models.variants: an int8 vision graph added to an exported package."""
from __future__ import annotations

import json
import shutil

import pytest

from geosift_models.errors import ExportError
from geosift_models.export import verify_package
from geosift_models.variants import INT8_VISION, add_int8_vision, main


def test_add_int8_vision_lists_the_graph_with_its_hash_and_cosine(tiny_clip, tmp_path, ucm_images):
    _, res = tiny_clip
    pkg = tmp_path / 'pkg'
    shutil.copytree(res.dir, pkg)
    entry = add_int8_vision(pkg, ucm_images)
    m = json.loads((pkg / 'model.json').read_text('utf-8'))
    assert INT8_VISION in m['files'] and m['files'][INT8_VISION]['bytes'] == (pkg / INT8_VISION).stat().st_size
    assert m['provenance']['variants'][-1] == entry
    assert entry['of'] == m['vision']['file'] and entry['kind'].startswith('int8')
    assert 0.9 < entry['minCosineVsFp32'] <= 1.0000001
    assert verify_package(pkg) == []
    # a second run refuses to overwrite, --force replaces the entry instead of adding another
    with pytest.raises(ExportError, match='exists'):
        add_int8_vision(pkg)
    assert main(['add-int8', str(pkg), '--force']) == 0
    m = json.loads((pkg / 'model.json').read_text('utf-8'))
    assert [v['file'] for v in m['provenance']['variants']].count(INT8_VISION) == 1


def test_add_int8_vision_names_a_folder_that_is_not_a_package(tmp_path, capsys):
    assert main(['add-int8', str(tmp_path)]) == 1
    assert 'not a model package' in capsys.readouterr().err

"""The README's Node `fetch` example for the REST resources, run as the README prints it."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- tests/e2e/test_law_api_node.py runs the next block -->"


def readme_example() -> str:
    text = README.read_text()
    found = re.search(re.escape(MARKER) + r"\s*```js\n(.*?)```", text, re.S)
    assert found, "the README lost its Node example for the REST resources"
    return found.group(1)


def test_the_readme_fetch_example_runs(lawbot_server, tmp_path):
    assert shutil.which("node"), "Node.js is required for this test"
    script = tmp_path / "law_api.mjs"
    script.write_text(readme_example())
    result = subprocess.run(
        ["node", str(script)],
        env={**os.environ, "LAWBOT_URL": lawbot_server.url, "LAWBOT_API_KEY": lawbot_server.secret},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["law"] == "勞動基準法"
    assert seen["article"]["title"] == "勞動基準法 第 38 條" and seen["article"]["paragraphs"] == 1
    assert seen["article"]["url"].endswith("pcode=N0030001&flno=38")
    assert seen["cited"].startswith("四、平均工資")
    assert "勞動基準法 第 17 條" in seen["hits"]
    assert seen["severance"] == 202500 and seen["basis"] == ["勞工退休金條例 第 12 條"]


def test_the_readme_example_reports_errors_with_the_field(lawbot_server, tmp_path):
    script = tmp_path / "law_api.mjs"
    script.write_text(readme_example())
    result = subprocess.run(
        ["node", str(script)],
        env={**os.environ, "LAWBOT_URL": lawbot_server.url, "LAWBOT_API_KEY": "lb-wrong"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "401" in result.stderr

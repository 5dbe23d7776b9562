"""The local hub's Janus config comes from the package data, filled in with this run's values."""

from __future__ import annotations

from pathlib import Path

import pytest

from echo_desktop.hub.launcher import RESOURCES, HubConfig, render_config
from echo_desktop.session.errors import HubLaunchError

ROOT = Path(__file__).resolve().parents[1]


def test_the_installed_package_finds_the_top_level_resources_folder() -> None:
    # The project is installed editable: echo_desktop.resources is the checkout's resources/.
    assert Path(str(RESOURCES)) == ROOT / "resources" / "janus"


def test_render_config_fills_in_every_template(tmp_path: Path) -> None:
    config = HubConfig(bind_ip="10.1.2.3", ws_port=9188, http_port=9088, admin_key="k3y")
    render_config(config, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in (ROOT / "resources" / "janus").glob("*.jcfg"))
    texts = {name: (tmp_path / name).read_text() for name in names}
    assert all("${" not in text for text in texts.values())
    assert 'ws_ip = "10.1.2.3"' in texts["janus.transport.websockets.jcfg"]
    assert "ws_port = 9188" in texts["janus.transport.websockets.jcfg"]
    assert "port = 9088" in texts["janus.transport.http.jcfg"]
    assert 'admin_key = "k3y"' in texts["janus.plugin.videoroom.jcfg"]
    assert all((tmp_path / name).stat().st_mode & 0o777 == 0o600 for name in names)


def test_render_config_refuses_a_folder_without_templates(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README").write_text("no templates here")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(HubLaunchError, match="no Janus config templates"):
        render_config(HubConfig(), out, empty)
    with pytest.raises(HubLaunchError, match="no Janus config templates"):
        render_config(HubConfig(), out, tmp_path / "missing")
    assert list(out.iterdir()) == []

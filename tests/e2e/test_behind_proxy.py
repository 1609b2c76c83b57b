"""Behind a proxy every request arrives from the proxy's address: with LAWBOT_PROXY_ADDRESS_HEADER,
daphne takes each client's own address from the header the proxy sets, so the per-address
throttle refuses the guesser and nobody else."""

import httpx
import pytest

from lawbot_site.management.commands.serve import daphne_options

pytestmark = pytest.mark.e2e


def test_one_guesser_behind_the_proxy_is_refused_and_other_clients_still_get_in(
    lawbot_server_factory, settings
):
    settings.LAWBOT_PROXY_ADDRESS_HEADER = "X-Real-IP"
    server = lawbot_server_factory(_daphne_args=tuple(daphne_options()), LAWBOT_KEY_FAILURES="3")
    models = f"{server.url}/v1/models"
    guesser = {"Authorization": "Bearer lb-not-a-key-0123456789", "X-Real-IP": "203.0.113.7"}
    statuses = [httpx.get(models, headers=guesser, timeout=30).status_code for _ in range(6)]
    assert statuses[0] == 401 and statuses[-1] == 429
    colleague = {"Authorization": f"Bearer {server.secret}", "X-Real-IP": "198.51.100.2"}
    assert httpx.get(models, headers=colleague, timeout=30).status_code == 200


def test_without_the_setting_daphne_gets_no_proxy_options(settings):
    settings.LAWBOT_PROXY_ADDRESS_HEADER = ""
    assert daphne_options() == []

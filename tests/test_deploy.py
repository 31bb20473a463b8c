"""deploy/ validates offline: yamllint, the Compose schema, Kubernetes schemas on the rendered
kustomizations, and every SHOPGRAPH_* name used there is a real setting.

No Docker engine or cluster runs here, so nothing is started; rendering uses `kubectl kustomize`
(client only, part of the machine image)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from serve.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
KUSTOMIZATIONS = [DEPLOY / "k8s" / "base", DEPLOY / "k8s" / "overlays" / "production"]
K8S_VERSION = "1.31.0"


def _yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yaml", ".yml"})


def _render(kustomization: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (client) is needed to render deploy/k8s kustomizations"
    out = subprocess.run(
        [kubectl, "kustomize", str(kustomization)], check=True, capture_output=True, text=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def _docs(kind: str, docs: list[dict]) -> list[dict]:
    return [d for d in docs if d.get("kind") == kind]


def test_yamllint_passes_on_every_deploy_file():
    config = "{extends: default, rules: {line-length: {max: 120}, document-start: disable, truthy: {check-keys: false}}}"
    result = subprocess.run(
        [str(BIN / "yamllint"), "-f", "parsable", "-d", config, *map(str, _yaml_files())],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_matches_the_compose_schema():
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_kubernetes_manifests_validate(kustomization: Path, tmp_path: Path):
    docs = _render(kustomization)
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "StatefulSet", "ConfigMap"} <= {
        d["kind"] for d in docs
    }
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text(yaml.safe_dump_all(docs))
    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "-k", K8S_VERSION, str(rendered)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_api_deployment_has_probes_resources_hpa_and_secrets(kustomization: Path):
    docs = _render(kustomization)
    api = next(d for d in _docs("Deployment", docs) if d["metadata"]["name"] == "api")
    container = api["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    secret_refs = [e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e]
    assert secret_refs and all(name == "shopgraph-secrets" for name in secret_refs)
    hpa = _docs("HorizontalPodAutoscaler", docs)[0]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "api"
    config = next(d for d in _docs("ConfigMap", docs) if d["metadata"]["name"] == "shopgraph-config")
    assert config["data"]["SHOPGRAPH_GRAPH__NEO4J_URI"].startswith("neo4j://"), "cluster needs routing"
    assert config["data"]["SHOPGRAPH_SERVER__SESSION_STORE_URL"].startswith("redis://")
    assert any(d["metadata"]["name"] == "redis" for d in _docs("StatefulSet", docs))


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS, ids=lambda p: p.name)
def test_vllm_gpu_request_equals_tensor_parallel_size(kustomization: Path):
    docs = _render(kustomization)
    values = next(d for d in _docs("ConfigMap", docs) if d["metadata"]["name"] == "vllm-config")["data"]
    vllm = next(d for d in _docs("Deployment", docs) if d["metadata"]["name"] == "vllm")
    container = vllm["spec"]["template"]["spec"]["containers"][0]
    assert "--tensor-parallel-size=$(VLLM_TENSOR_PARALLEL_SIZE)" in container["args"]
    gpus = container["resources"]["requests"]["nvidia.com/gpu"]
    assert gpus == container["resources"]["limits"]["nvidia.com/gpu"] == values["VLLM_TENSOR_PARALLEL_SIZE"]


def _setting_exists(env_name: str) -> bool:
    """SHOPGRAPH_A__B -> Settings.a.b (pydantic-settings' env_nested_delimiter '__')."""
    parts = env_name.removeprefix("SHOPGRAPH_").lower().split("__")
    model = Settings
    for i, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if i < len(parts) - 1:
            if not (isinstance(annotation, type) and hasattr(annotation, "model_fields")):
                return False
            model = annotation
    return True


def test_every_shopgraph_setting_used_in_deploy_exists():
    names: set[str] = set()
    for path in _yaml_files() + [DEPLOY / "Dockerfile"]:
        names |= set(re.findall(r"\bSHOPGRAPH_[A-Z0-9_]+", path.read_text()))
    assert len(names) >= 10
    missing = sorted(n for n in names if not _setting_exists(n))
    assert not missing, f"settings used in deploy/ that serve/settings.py does not define: {missing}"


def compose_adapter_names() -> tuple[str, str]:
    """(adapter name the api service requests, adapter name vLLM serves) from compose.yaml."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    requested = compose["services"]["api"]["environment"]["SHOPGRAPH_GENERATOR__LORA_ADAPTER"]
    command = compose["services"]["vllm"]["command"]
    served = command[command.index("--lora-modules") + 1].split("=", 1)[0]
    return requested, served


def test_compose_api_requests_the_adapter_vllm_serves():
    requested, served = compose_adapter_names()
    assert requested == served


def test_openai_client_sends_the_adapter_name_compose_gives_vllm():
    """A real HTTP server on loopback records what the service's OpenAI-compatible client sends
    (vLLM itself needs a GPU, so this stands in for it at the wire level only)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from rag.context import build_context
    from rag.generate.base import GenerationRequest
    from rag.generate.openai_http import OpenAIGenerator
    from rag.types import Evidence

    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, **body})
            reply = json.dumps({
                "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": "Returns within 30 days [1]."}}],
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        requested, served = compose_adapter_names()
        compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
        env = compose["services"]["api"]["environment"]
        generator = OpenAIGenerator(
            base_url=f"http://127.0.0.1:{server.server_port}/v1",
            model=env["SHOPGRAPH_GENERATOR__MODEL"],
            lora_adapter=env["SHOPGRAPH_GENERATOR__LORA_ADAPTER"],
            max_retries=0,
        )
        context = build_context([Evidence(id="policy:returns", text="Returns are accepted within 30 days.", kind="passage")])
        text = generator.generate(GenerationRequest.build("Can I return it?", context))
    finally:
        server.shutdown()
    assert text.startswith("Returns")
    assert seen and seen[0]["path"] == "/v1/chat/completions"
    assert seen[0]["model"] == requested == served

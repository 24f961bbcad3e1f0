"""The Dockerfile, the Helm values and the Kubernetes examples, checked statically (no docker, helm
or cluster here): the structure against the keys Dagster's official chart documents, and every
name against what the code reads, so a renamed setting or a typo fails here, not in a pod.
"""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from listings.migrations import parse_migrations
from pipeline.settings import Settings
from tests.deploy.conftest import DAGSTER_YAML, ROOT

HELM_VALUES = ROOT / "deploy" / "helm" / "values.yaml"
SECRET_EXAMPLE = ROOT / "deploy" / "k8s" / "secret.example.yaml"
CONFIGMAP_EXAMPLE = ROOT / "deploy" / "k8s" / "configmap.example.yaml"
DOCKERFILE = ROOT / "Dockerfile"

# The keys of Dagster's chart (helm/dagster/schema/schema/charts/... in dagster-io/dagster, the
# pydantic models its values.schema.json is generated from), for the sections banjia sets.
CHART_TOP_LEVEL = {
    "global", "nameOverride", "fullnameOverride", "rbacEnabled", "dagsterHome", "imagePullSecrets",
    "dagsterWebserver", "dagster-user-deployments", "postgresql", "generatePostgresqlPasswordSecret",
    "generateCeleryConfigSecret", "rabbitmq", "redis", "flower", "ingress", "computeLogManager",
    "scheduler", "runLauncher", "pythonLogs", "dagsterDaemon", "busybox", "migrate", "telemetry",
    "serviceAccount", "retention", "additionalInstanceConfig", "concurrency",
}  # fmt: skip
CHART_GLOBAL = {
    "postgresqlSecretName",
    "dagsterHome",
    "serviceAccountName",
    "celeryConfigSecretName",
}
CHART_POSTGRESQL = {
    "image", "enabled", "postgresqlHost", "postgresqlUsername", "postgresqlPassword",
    "postgresqlDatabase", "postgresqlParams", "postgresqlScheme", "service",
}  # fmt: skip
CHART_USER_DEPLOYMENTS = {"enabled", "enableSubchart", "imagePullSecrets", "deployments"}
CHART_USER_DEPLOYMENT = {
    "name", "image", "dagsterApiGrpcArgs", "codeServerArgs", "includeConfigInLaunchedRuns", "port",
    "env", "envConfigMaps", "envSecrets", "annotations", "nodeSelector", "affinity", "tolerations",
    "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
    "startupProbe", "labels", "volumeMounts", "volumes", "schedulerName",
}  # fmt: skip
CHART_K8S_RUN_LAUNCHER = {
    "image", "imagePullPolicy", "jobNamespace", "loadInclusterConfig", "kubeconfigFile",
    "envConfigMaps", "envSecrets", "envVars", "volumeMounts", "volumes", "labels",
    "failPodOnRunFailure", "resources", "schedulerName", "securityContext", "runK8sConfig",
}  # fmt: skip
CHART_RUN_LAUNCHER_TYPES = {"K8sRunLauncher", "CeleryK8sRunLauncher", "CustomRunLauncher"}
CHART_DAEMON = {
    "enabled", "image", "runCoordinator", "heartbeatTolerance", "env", "envConfigMaps",
    "envSecrets", "deploymentLabels", "labels", "nodeSelector", "affinity", "tolerations",
    "podSecurityContext", "securityContext", "resources", "livenessProbe", "readinessProbe",
    "startupProbe", "annotations", "runMonitoring", "runRetries", "sensors", "schedules",
    "schedulerName", "volumeMounts", "volumes",
}  # fmt: skip
CHART_CONCURRENCY = {"enabled", "pools", "runs"}
CHART_POOLS = {"defaultLimit", "granularity", "opGranularityRunBuffer"}
CHART_RUNS = {"maxConcurrentRuns", "tagConcurrencyLimits"}
CHART_TAG_LIMIT = {"key", "value", "limit"}
# The chart sets DAGSTER_HOME to this in every pod unless `dagsterHome` says otherwise.
CHART_DAGSTER_HOME = "/opt/dagster/dagster_home"


def _load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    loaded = yaml.safe_load(HELM_VALUES.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def deployment(values: dict[str, Any]) -> dict[str, Any]:
    deployments = values["dagster-user-deployments"]["deployments"]
    assert len(deployments) == 1
    return deployments[0]


@pytest.fixture(scope="module")
def configmaps() -> dict[str, dict[str, str]]:
    docs = _load_all(CONFIGMAP_EXAMPLE)
    assert all(doc["kind"] == "ConfigMap" and doc["apiVersion"] == "v1" for doc in docs)
    return {doc["metadata"]["name"]: doc["data"] for doc in docs}


@pytest.fixture(scope="module")
def secrets() -> dict[str, dict[str, str]]:
    docs = _load_all(SECRET_EXAMPLE)
    assert all(doc["kind"] == "Secret" and doc["apiVersion"] == "v1" for doc in docs)
    return {doc["metadata"]["name"]: doc["stringData"] for doc in docs}


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# --- the chart's structure -------------------------------------------------------------------


def test_helm_values_use_only_keys_the_chart_documents(
    values: dict[str, Any], deployment: dict[str, Any]
) -> None:
    assert set(values) <= CHART_TOP_LEVEL
    assert set(values["global"]) <= CHART_GLOBAL
    assert set(values["postgresql"]) <= CHART_POSTGRESQL
    assert set(values["dagster-user-deployments"]) <= CHART_USER_DEPLOYMENTS
    assert set(deployment) <= CHART_USER_DEPLOYMENT
    assert set(values["runLauncher"]) == {"type", "config"}
    assert set(values["runLauncher"]["config"]["k8sRunLauncher"]) <= CHART_K8S_RUN_LAUNCHER
    assert set(values["dagsterDaemon"]) <= CHART_DAEMON
    assert set(values["dagsterDaemon"]["runCoordinator"]) <= {"enabled", "type", "config"}
    concurrency = values["concurrency"]
    assert set(concurrency) <= CHART_CONCURRENCY
    assert set(concurrency["pools"]) <= CHART_POOLS
    assert set(concurrency["runs"]) <= CHART_RUNS
    assert all(
        set(limit) <= CHART_TAG_LIMIT for limit in concurrency["runs"]["tagConcurrencyLimits"]
    )


def test_helm_values_types_are_what_the_chart_expects(
    values: dict[str, Any], deployment: dict[str, Any]
) -> None:
    assert isinstance(deployment["port"], int)
    assert set(deployment["image"]) == {"repository", "tag", "pullPolicy"}
    assert deployment["image"]["tag"] != "latest"  # runs must use the image they were queued with
    assert all(isinstance(arg, str) for arg in deployment["codeServerArgs"])
    assert isinstance(values["postgresql"]["service"]["port"], int)
    assert isinstance(values["postgresql"]["postgresqlParams"], dict)
    assert all(set(item) == {"name"} for item in deployment["envConfigMaps"])
    assert all(set(item) == {"name"} for item in deployment["envSecrets"])
    assert isinstance(values["concurrency"]["runs"]["maxConcurrentRuns"], int)
    assert isinstance(values["concurrency"]["pools"]["defaultLimit"], int)


def test_runs_go_to_kubernetes_jobs_through_the_queue(values: dict[str, Any]) -> None:
    assert values["runLauncher"]["type"] == "K8sRunLauncher" in CHART_RUN_LAUNCHER_TYPES
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] is True
    assert coordinator["type"] == "QueuedRunCoordinator"
    # Dagster refuses run limits both in the coordinator's config and under `concurrency`.
    assert not coordinator.get("config", {}).get("queuedRunCoordinator")
    assert values["concurrency"]["enabled"] is True


def test_helm_and_dagster_yaml_limit_runs_and_pools_alike(values: dict[str, Any]) -> None:
    instance = yaml.safe_load(DAGSTER_YAML.read_text(encoding="utf-8"))
    helm = values["concurrency"]
    assert (
        helm["runs"]["tagConcurrencyLimits"]
        == instance["concurrency"]["runs"]["tag_concurrency_limits"]
    )
    assert {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    } in (helm["runs"]["tagConcurrencyLimits"])
    assert helm["pools"]["granularity"] == instance["concurrency"]["pools"]["granularity"] == "op"
    assert helm["pools"]["defaultLimit"] >= 1
    assert helm["runs"]["maxConcurrentRuns"] >= 1


# --- names the code reads --------------------------------------------------------------------


def test_the_code_server_serves_the_project_code_location(
    deployment: dict[str, Any], pyproject: dict[str, Any]
) -> None:
    module = pyproject["tool"]["dagster"]["module_name"]
    location = pyproject["tool"]["dagster"]["code_location_name"]
    workspace = yaml.safe_load((ROOT / "workspace.yaml").read_text(encoding="utf-8"))
    assert (
        workspace["load_from"][0]["python_module"]["module_name"] == module == "assets.definitions"
    )
    args = deployment["codeServerArgs"]
    assert args[args.index("-m") + 1] == module
    assert args[args.index("--location-name") + 1] == location


def test_env_comes_from_the_example_configmap_and_secret(
    values: dict[str, Any],
    deployment: dict[str, Any],
    configmaps: dict[str, dict[str, str]],
    secrets: dict[str, dict[str, str]],
) -> None:
    assert {item["name"] for item in deployment["envConfigMaps"]} <= set(configmaps)
    assert {item["name"] for item in deployment["envSecrets"]} <= set(secrets)
    assert deployment["includeConfigInLaunchedRuns"]["enabled"] is True  # run pods get them too
    # Dagster's own PostgreSQL password: DAGSTER_PG_PASSWORD in every Dagster pod, from this Secret.
    assert set(secrets[values["global"]["postgresqlSecretName"]]) == {"postgresql-password"}
    assert values["generatePostgresqlPasswordSecret"] is False


def test_banjia_settings_are_ones_the_code_reads_and_secrets_stay_in_the_secret(
    configmaps: dict[str, dict[str, str]], secrets: dict[str, dict[str, str]]
) -> None:
    settings = {f"BANJIA_{name.upper()}" for name in Settings.model_fields}
    config = configmaps["banjia-config"]
    assert set(config) <= settings, set(config) - settings
    assert {"BANJIA_MIGRATIONS", "BANJIA_ENDPOINTS", "BANJIA_WAREHOUSE"} <= set(config)
    assert config["BANJIA_ENDPOINTS"] in {"sandbox", "production"}
    # The database URLs carry a password: they are secrets, never in the ConfigMap.
    assert not {"BANJIA_DATABASE_URL", "BANJIA_LEDGER_URL"} & set(config)
    assert secrets["banjia-secrets"]["BANJIA_DATABASE_URL"].startswith("postgresql://")


def test_the_migrations_file_is_mounted_where_banjia_migrations_points(
    deployment: dict[str, Any],
    configmaps: dict[str, dict[str, str]],
    secrets: dict[str, dict[str, str]],
) -> None:
    path = configmaps["banjia-config"]["BANJIA_MIGRATIONS"]
    mount = next(m for m in deployment["volumeMounts"] if m["mountPath"] == path)
    volume = next(v for v in deployment["volumes"] if v["name"] == mount["name"])
    text = configmaps[volume["configMap"]["name"]][mount["subPath"]]
    migrations = parse_migrations(text, source="configmap.example.yaml")  # valid as banjia loads it
    assert migrations.keys
    # Every secret a migration names is in the Secret, and nothing else platform-side is.
    named = set(_env_names(yaml.safe_load(text)))
    platform_secrets = set(secrets["banjia-secrets"]) - {"BANJIA_DATABASE_URL", "BANJIA_LEDGER_URL"}
    assert named == platform_secrets


def _env_names(node: Any) -> list[str]:
    """Values of every `*_env` key in a migrations document: the env vars holding its secrets."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if str(k).endswith("_env") and isinstance(v, str)]
        return found + [name for v in node.values() for name in _env_names(v)]
    if isinstance(node, list):
        return [name for v in node for name in _env_names(v)]
    return []


def test_the_warehouse_lives_on_the_mounted_volume(
    deployment: dict[str, Any], configmaps: dict[str, dict[str, str]]
) -> None:
    warehouse = Path(configmaps["banjia-config"]["BANJIA_WAREHOUSE"])
    mounts = {Path(m["mountPath"]): m["name"] for m in deployment["volumeMounts"]}
    holder = next(name for path, name in mounts.items() if warehouse.parent == path)
    volume = next(v for v in deployment["volumes"] if v["name"] == holder)
    assert "persistentVolumeClaim" in volume


def test_examples_hold_only_placeholders(secrets: dict[str, dict[str, str]]) -> None:
    for name, data in secrets.items():
        for key, value in data.items():
            assert "CHANGE-ME" in value, f"{name}.{key} looks like a real value"


def test_dagster_yaml_takes_every_connection_value_from_dagster_pg_env() -> None:
    instance = yaml.safe_load(DAGSTER_YAML.read_text(encoding="utf-8"))
    db = instance["storage"]["postgres"]["postgres_db"]
    assert {k: v for k, v in db.items() if k != "scheme"} == {
        "hostname": {"env": "DAGSTER_PG_HOST"},
        "port": {"env": "DAGSTER_PG_PORT"},
        "username": {"env": "DAGSTER_PG_USER"},
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "db_name": {"env": "DAGSTER_PG_DB"},
    }
    script = (ROOT / "scripts" / "multiworker.sh").read_text(encoding="utf-8")
    for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_DB"):
        assert f"export {name}=" in script
    assert "export DAGSTER_PG_PASSWORD=" in script
    assert "export BANJIA_DATABASE_URL=" in script


def test_helm_and_dagster_yaml_name_the_psycopg2_driver(values: dict[str, Any]) -> None:
    instance = yaml.safe_load(DAGSTER_YAML.read_text(encoding="utf-8"))
    scheme = instance["storage"]["postgres"]["postgres_db"]["scheme"]
    assert scheme == values["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"


# --- the image ---------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
    return result


def test_dockerfile_builds_from_the_lock_file_on_python_311_slim(pyproject: dict[str, Any]) -> None:
    steps = _instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert ">=3.11" in pyproject["project"]["requires-python"]
    runs = [args for word, args in steps if word == "RUN"]
    assert any(re.search(r"pip install .*\buv\b", run) for run in runs)
    assert any(
        "uv sync --frozen --no-dev" in run and "--no-install-project" not in run for run in runs
    )
    copied = " ".join(args for word, args in steps if word == "COPY")
    for package in [*pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"], "data"]:
        assert f" {package} ./{package}" in copied, f"{package} is not copied into the image"


def test_dockerfile_runs_the_code_server_as_a_non_root_user(deployment: dict[str, Any]) -> None:
    steps = _instructions()
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in {"root", "0"}
    cmd = next(args for word, args in reversed(steps) if word == "CMD")
    assert '"code-server", "start", "-m", "assets.definitions"' in cmd
    assert f'"-p", "{deployment["port"]}"' in cmd
    assert ("EXPOSE", str(deployment["port"])) in steps


def test_dockerfile_env_matches_the_chart_and_the_configmap(
    configmaps: dict[str, dict[str, str]],
) -> None:
    env = " ".join(args for word, args in _instructions() if word == "ENV")
    assert f"DAGSTER_HOME={CHART_DAGSTER_HOME}" in env
    assert f"BANJIA_WAREHOUSE={configmaps['banjia-config']['BANJIA_WAREHOUSE']}" in env
    assert "PATH=/opt/banjia/.venv/bin:" in env  # run pods call `dagster api execute_run`


# --- sizing ------------------------------------------------------------------------------------

KUAISHOU_APP_QPS = 100  # per app, shared by every shop the agency publishes to (kuaishou-api.md)


def test_the_publish_pool_keeps_publishing_within_the_apps_qps(
    values: dict[str, Any], configmaps: dict[str, dict[str, str]]
) -> None:
    """Pool limit x the fastest migration's pace: the most publishing can ask of the app at once."""
    example = parse_migrations(configmaps["banjia-migrations"]["migrations.yaml"])
    fastest = max(m.target.rate_per_second for m in example.migrations)
    assert values["concurrency"]["pools"]["defaultLimit"] * fastest <= KUAISHOU_APP_QPS
    instance = yaml.safe_load(DAGSTER_YAML.read_text(encoding="utf-8"))
    demo = parse_migrations((ROOT / "data" / "migrations.yaml").read_text(encoding="utf-8"))
    fastest = max(m.target.rate_per_second for m in demo.migrations)
    assert instance["concurrency"]["pools"]["default_limit"] * fastest <= KUAISHOU_APP_QPS

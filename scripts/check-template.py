#!/usr/bin/env python3
"""Checks template.yaml for the promises the README makes about it, which
cfn-lint cannot know: every function is built by cargo-lambda for arm64 with
its own role and log group, nobody gets a wildcard, only the dispatcher may
start the worker (and pass only the worker's two roles), the unfurler and the
poller touch only the table and the secret, and the table keeps its data.

Usage: .venv/bin/python scripts/check-template.py [template.yaml]
Exits non-zero with one line per broken promise.
"""

import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def tagged(loader, suffix, node):
    # CloudFormation's short forms (!Ref, !GetAtt, !Sub …) become {"Fn": value}.
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {suffix: value}


Loader.add_multi_constructor("!", tagged)

FUNCTIONS = {
    "DispatcherFunction": "switchboard-dispatcher",
    "UnfurlerFunction": "switchboard-unfurler",
    "BridgeFunction": "switchboard-bridge",
    "ScannerFunction": "switchboard-scanner",
    "PollerFunction": "switchboard-poller",
}
TABLE_AND_SECRET_ONLY = {"UnfurlerRole", "PollerRole", "ScannerRole"}
PLAIN_ACTIONS = {
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "secretsmanager:GetSecretValue",
}


def as_list(v):
    return v if isinstance(v, list) else [v]


def statements(role):
    for policy in role.get("Properties", {}).get("Policies", []):
        yield from as_list(policy.get("PolicyDocument", {}).get("Statement", []))


def main(path):
    with open(path, encoding="utf-8") as f:
        t = yaml.load(f, Loader=Loader)
    res = t["Resources"]
    problems = []
    glob = t.get("Globals", {}).get("Function", {})
    if glob.get("Architectures") != ["arm64"] or glob.get("Runtime") != "provided.al2023":
        problems.append("Globals: functions must be arm64 on provided.al2023")

    for name, binary in FUNCTIONS.items():
        fn = res.get(name)
        if fn is None:
            problems.append(f"{name}: missing")
            continue
        meta = fn.get("Metadata", {})
        props = fn.get("Properties", {})
        if meta.get("BuildMethod") != "rust-cargolambda":
            problems.append(f"{name}: BuildMethod must be rust-cargolambda")
        if meta.get("BuildProperties", {}).get("Binary") != binary:
            problems.append(f"{name}: BuildProperties.Binary must be {binary}")
        role = props.get("Role", {}).get("GetAtt", "")
        if not role.endswith(".Arn") or role[:-4] not in res:
            problems.append(f"{name}: needs its own Role")
        if "LogGroup" not in props.get("LoggingConfig", {}):
            problems.append(f"{name}: needs its own log group (LoggingConfig)")
        if not props.get("Events"):
            problems.append(f"{name}: has no events")

    roles = {k: v for k, v in res.items() if v.get("Type") == "AWS::IAM::Role"}
    owners = {}
    for fname in FUNCTIONS:
        role = res.get(fname, {}).get("Properties", {}).get("Role", {}).get("GetAtt", "")[:-4]
        owners.setdefault(role, []).append(fname)
    for rname, users in owners.items():
        if len(users) > 1:
            problems.append(f"{rname}: shared by {', '.join(users)}; each function needs its own")

    for rname, role in roles.items():
        for s in statements(role):
            actions = as_list(s.get("Action", []))
            resources = as_list(s.get("Resource", []))
            if any(a == "*" or a.endswith(":*") for a in actions):
                problems.append(f"{rname}: wildcard action {actions}")
            if "*" in resources:
                problems.append(f"{rname}: wildcard resource for {actions}")
            if rname != "DispatcherRole" and any(
                a in ("ecs:RunTask", "iam:PassRole") for a in actions
            ):
                problems.append(f"{rname}: only the dispatcher may {actions}")
            if rname == "DispatcherRole" and "iam:PassRole" in actions:
                passed = {r.get("GetAtt") for r in resources if isinstance(r, dict)}
                if passed != {"WorkerTaskRole.Arn", "WorkerExecutionRole.Arn"}:
                    problems.append(f"DispatcherRole: PassRole must name the worker's two roles only, not {passed}")
            if rname in TABLE_AND_SECRET_ONLY and not set(actions) <= PLAIN_ACTIONS:
                problems.append(f"{rname}: may only use the table, the secret and its logs, not {actions}")

    table = res.get("Table", {})
    tp = table.get("Properties", {})
    if tp.get("BillingMode") != "PAY_PER_REQUEST":
        problems.append("Table: must be on demand")
    if not tp.get("TimeToLiveSpecification", {}).get("Enabled"):
        problems.append("Table: TTL must be on")
    if not tp.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        problems.append("Table: point-in-time recovery must be on")
    if "DeletionProtectionEnabled" not in tp:
        problems.append("Table: deletion protection must be set (a parameter)")
    if table.get("DeletionPolicy") != "Retain":
        problems.append("Table: DeletionPolicy must be Retain")

    task = res.get("WorkerTaskDefinition", {}).get("Properties", {})
    if task.get("RuntimePlatform", {}).get("CpuArchitecture") != "ARM64":
        problems.append("WorkerTaskDefinition: must run on ARM64")

    outputs = t.get("Outputs", {})
    for out in ("SlashCommandUrl", "EventsUrl", "InteractivityUrl", "ApiUrl"):
        if out not in outputs:
            problems.append(f"Outputs: {out} is missing (the Slack app needs it)")

    for p in problems:
        print(f"template: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: {len(FUNCTIONS)} functions, {len(roles)} roles, no wildcards; promises kept")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")

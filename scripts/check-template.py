#!/usr/bin/env python3
"""Checks template.yaml for the promises the README makes about it, which
cfn-lint cannot know: every function is built by cargo-lambda for arm64 with
its own role and log group, nobody gets a wildcard, only the dispatcher may
start the worker (and pass only the worker's two roles), the unfurler and the
poller touch only the table and the secret, the table keeps its data, and
each role writes only its own partition keys (never the pushed config).

Usage: .venv/bin/python scripts/check-template.py [template.yaml]
       .venv/bin/python scripts/check-template.py --self-test [template.yaml]
Exits non-zero with one line per broken promise. --self-test breaks the
key rule in copies of the template and fails unless each break is caught.
"""

import copy
import fnmatch
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


# The partition keys each role may write (dynamodb:LeadingKeys patterns), from
# the Key::new( calls of the code each role runs: the dispatcher writes the
# audit log, job records, button presses and confirmation prompts; the unfurler its event and link
# claims (and audits refused workspaces); the bridge its delivery claims and
# issue locks; the scanner its cursor, summary claim, ledger and send log; the poller its
# per-subscription partitions; the worker job records. Nobody writes the
# pushed config: `switchboard config push` does, with the operator's
# credentials.
OWN_KEYS = {
    "DispatcherRole": ["audit#*", "jobs", "ledger#*", "confirm", "trello-sub"],
    "UnfurlerRole": ["event", "unfurled#*", "audit#*"],
    "BridgeRole": ["webhook", "bridge-issue"],
    "ScannerRole": ["scan#cursor", "scan#summary", "ledger#*", "scanlog#*"],
    "PollerRole": ["trello#*"],
    "WorkerTaskRole": ["jobs"],
}
# The pushed config's partition key (core::settings).
CONFIG_PK = "config"
DYNAMO_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}


def leading_keys(statement):
    """The LeadingKeys patterns a statement is limited to, or None."""
    cond = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
    keys = cond.get("dynamodb:LeadingKeys")
    return None if keys is None else as_list(keys)


def key_problems(rname, statement):
    writes = DYNAMO_WRITES & set(as_list(statement.get("Action", [])))
    if not writes:
        return []
    problems = []
    keys = leading_keys(statement)
    if keys is None:
        return [f"{rname}: {sorted(writes)} without a dynamodb:LeadingKeys condition"]
    if any(fnmatch.fnmatchcase(CONFIG_PK, k) for k in keys):
        problems.append(f"{rname}: may write the pushed config ({keys})")
    if any(k.strip("*") == "" for k in keys):
        problems.append(f"{rname}: a LeadingKeys pattern matches every key ({keys})")
    want = OWN_KEYS.get(rname)
    if want is None:
        problems.append(f"{rname}: writes the table but has no OWN_KEYS entry")
    elif sorted(keys) != sorted(want):
        problems.append(f"{rname}: writes {sorted(keys)}, its own keys are {sorted(want)}")
    if writes - {"dynamodb:PutItem"}:
        problems.append(f"{rname}: only PutItem is used, not {sorted(writes - {'dynamodb:PutItem'})}")
    return problems


def as_list(v):
    return v if isinstance(v, list) else [v]


def statements(role):
    for policy in role.get("Properties", {}).get("Policies", []):
        yield from as_list(policy.get("PolicyDocument", {}).get("Statement", []))


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader)


def check(t):
    """Every broken promise in a loaded template, one line each."""
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
                a in ("ecs:RunTask", "ecs:StopTask", "iam:PassRole") for a in actions
            ):
                problems.append(f"{rname}: only the dispatcher may {actions}")
            if rname == "DispatcherRole" and "iam:PassRole" in actions:
                passed = {r.get("GetAtt") for r in resources if isinstance(r, dict)}
                if passed != {"WorkerTaskRole.Arn", "WorkerExecutionRole.Arn"}:
                    problems.append(f"DispatcherRole: PassRole must name the worker's two roles only, not {passed}")
            if rname in TABLE_AND_SECRET_ONLY and not set(actions) <= PLAIN_ACTIONS:
                problems.append(f"{rname}: may only use the table, the secret and its logs, not {actions}")
            problems.extend(key_problems(rname, s))

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

    return problems, len(roles)


def write_statement(t, role):
    for s in statements(t["Resources"][role]):
        if "dynamodb:PutItem" in as_list(s.get("Action", [])):
            return s
    raise SystemExit(f"self-test: {role} has no PutItem statement")


def self_test(path):
    """Breaks the key rule in copies of the template; each must be caught."""
    breaks = {
        "no condition": lambda t: write_statement(t, "BridgeRole").pop("Condition"),
        "the config": lambda t: leading_keys(write_statement(t, "UnfurlerRole")).append("conf*"),
        "every key": lambda t: write_statement(t, "PollerRole")["Condition"]["ForAllValues:StringLike"].update(
            {"dynamodb:LeadingKeys": ["*"]}
        ),
        "another's keys": lambda t: write_statement(t, "WorkerTaskRole")["Condition"][
            "ForAllValues:StringLike"
        ].update({"dynamodb:LeadingKeys": ["jobs", "trello#*"]}),
        "delete": lambda t: write_statement(t, "ScannerRole").update(
            {"Action": ["dynamodb:PutItem", "dynamodb:DeleteItem"]}
        ),
    }
    original = load(path)
    problems, _ = check(original)
    if problems:
        raise SystemExit(f"self-test: the template itself is broken: {problems}")
    failed = []
    for name, breaking in breaks.items():
        t = copy.deepcopy(original)
        breaking(t)
        if not check(t)[0]:
            failed.append(name)
    if failed:
        raise SystemExit(f"self-test: not caught: {', '.join(failed)}")
    print(f"{path}: self-test: {len(breaks)} broken key rules caught")


def main(path):
    problems, roles = check(load(path))
    for p in problems:
        print(f"template: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(
        f"{path}: {len(FUNCTIONS)} functions, {roles} roles, no wildcards, "
        "each role writes only its own keys; promises kept"
    )


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--self-test"]:
        self_test(args[1] if len(args) > 1 else "template.yaml")
    else:
        main(args[0] if args else "template.yaml")

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any

from advisor.collect.inventory import DATA_FUNCTIONS, DATA_METRICS, RegionInventory
from advisor.decide import DecisionOptions, container_candidate, lambda_cost_for
from advisor.rules.base import NotEvaluated, Pillar, Remediation, Result, Rule, Severity
from advisor.rules.context import RegionContext
from advisor.rules.costing import prices_or_reason, profile_or_reason, usd
from advisor.rules.support import logical_id, not_evaluated, yaml

RULE = Rule(
    id="consider-containers",
    title="Containers or EC2 clearly cheaper for this function's sustained load",
    pillar=Pillar.COST,
    severity=Severity.LOW,
    rationale=(
        "Lambda bills every request and every GB-second; an always-on fleet bills by the hour "
        "whatever it serves. For steady, busy workloads the fleet wins past a crossover volume. "
        "The decision framework (advisor.decide) prices this function's observed traffic on "
        "Lambda, on ECS with Fargate and on EC2, sized for its busy hour across two "
        "Availability Zones, each side with its front door (API Gateway, a function URL or a load "
        "balancer in front of Lambda; a load balancer in front of the fleet), and reports it "
        "only when the alternative is cheaper by more than the premium for running servers. "
        "Latency needs and team capacity still decide: see "
        "the planner for the crossover and the reasons."
    ),
    sources=(
        "https://aws.amazon.com/lambda/pricing/",
        "https://aws.amazon.com/fargate/pricing/",
        "https://aws.amazon.com/ec2/pricing/on-demand/",
        "https://aws.amazon.com/api-gateway/pricing/",
        "https://aws.amazon.com/elasticloadbalancing/pricing/",
        "https://docs.aws.amazon.com/whitepapers/latest/serverless-architectures-lambda/cost-optimization.html",
    ),
    requires=(DATA_FUNCTIONS, DATA_METRICS),
    options={"min_monthly_saving_usd": 20.0},
    option_help={
        "min_monthly_saving_usd": (
            "Monthly saving, in dollars, below which moving is not worth reporting (the "
            "framework also requires it to exceed its operations premium)."
        ),
    },
)


@RULE.checker
def check(ctx: RegionContext, options: Mapping[str, Any]) -> Iterator[Result]:
    inventory = ctx.inventory
    if not inventory.functions:
        return
    prices = prices_or_reason(inventory)
    if isinstance(prices, str):
        yield NotEvaluated(RULE.id, inventory.region, prices)
        return
    decision = dataclasses.replace(
        DecisionOptions(), min_monthly_saving_usd=float(options["min_monthly_saving_usd"])
    )
    for fn in inventory.functions:
        profile = profile_or_reason(ctx, fn)
        if isinstance(profile, str):
            yield not_evaluated(RULE, inventory, fn.arn, profile)
            continue
        if profile.monthly_requests <= 0:
            continue
        rec = container_candidate(profile, prices, decision)
        if rec is None:
            continue
        # front doors included on both sides, as the verdict weighed them
        current = lambda_cost_for(profile, prices).total_usd + rec.front_doors.lambda_.monthly_usd
        use_ec2 = rec.verdict == "ec2" and rec.ec2 is not None
        plan = rec.ec2 if use_ec2 and rec.ec2 is not None else rec.fargate
        alternative_usd = plan.monthly_usd + rec.front_doors.servers.monthly_usd
        saving = current - alternative_usd
        if saving < options["min_monthly_saving_usd"]:
            continue
        yield RULE.finding(
            inventory=inventory,
            resource_arn=fn.arn,
            message=(
                f"{fn.name} handles {profile.monthly_requests:,.0f} requests a month of "
                f"{profile.avg_duration_ms:.0f} ms at {fn.memory_mb} MB: {usd(current)} a month "
                f"on Lambda against {usd(alternative_usd)} for {plan.describe()}, "
                f"{usd(saving)} a month less. Verdict: {rec.verdict}."
            ),
            evidence={
                "verdict": rec.verdict,
                "lambda_monthly_usd": round(current, 2),
                "alternative": plan.describe(),
                "alternative_monthly_usd": round(alternative_usd, 2),
                "monthly_saving_usd": round(saving, 2),
                "monthly_cost_usd": dict(rec.monthly_cost_usd),
                "monthly_requests": round(profile.monthly_requests),
                "avg_duration_ms": profile.avg_duration_ms,
                "peak_to_mean": round(profile.peak_to_mean, 2),
                "reasons": list(rec.reasons),
                "prices_as_of": prices.as_of.isoformat(),
            },
            remediation=_remediation(inventory, fn.name, rec),
        )


def _remediation(inventory: RegionInventory, name: str, rec: Any) -> Remediation:
    if rec.verdict == "ec2" and rec.ec2 is not None:
        plan = rec.ec2
        return Remediation(
            cli=(
                f"aws ec2 describe-instance-types --region {inventory.region} "
                f"--instance-types {plan.instance.type}  # the size the framework priced"
            ),
            iac=yaml(
                {
                    logical_id(f"{name}-fleet"): {
                        "Type": "AWS::AutoScaling::AutoScalingGroup",
                        "Properties": {
                            "MinSize": plan.count,
                            "MaxSize": plan.count * 2,
                            "LaunchTemplate": {
                                "LaunchTemplateId": f"!Ref {logical_id(name + '-template')}",
                                "Version": f"!GetAtt {logical_id(name + '-template')}"
                                ".LatestVersionNumber",
                            },
                            "VPCZoneIdentifier": ["!Ref SubnetA", "!Ref SubnetB"],
                        },
                    },
                    logical_id(f"{name}-template"): {
                        "Type": "AWS::EC2::LaunchTemplate",
                        "Properties": {"LaunchTemplateData": {"InstanceType": plan.instance.type}},
                    },
                }
            ),
            iac_format="CloudFormation",
        )
    plan = rec.fargate
    cpu_units = math.ceil(plan.task_vcpu * 1024)
    memory_mib = math.ceil(plan.task_memory_gb * 1024)
    return Remediation(
        cli=f"aws ecs create-cluster --region {inventory.region} --cluster-name {name}",
        iac=yaml(
            {
                logical_id(f"{name}-task"): {
                    "Type": "AWS::ECS::TaskDefinition",
                    "Properties": {
                        "RequiresCompatibilities": ["FARGATE"],
                        "NetworkMode": "awsvpc",
                        "Cpu": str(cpu_units),
                        "Memory": str(memory_mib),
                        "RuntimePlatform": {
                            "CpuArchitecture": "ARM64" if plan.cost.arch == "arm64" else "X86_64"
                        },
                        "ContainerDefinitions": [
                            {"Name": name, "Image": f"{name}:latest", "Essential": True}
                        ],
                    },
                },
                logical_id(f"{name}-service"): {
                    "Type": "AWS::ECS::Service",
                    "Properties": {
                        "Cluster": name,
                        "LaunchType": "FARGATE",
                        "DesiredCount": plan.tasks,
                        "TaskDefinition": f"!Ref {logical_id(name + '-task')}",
                    },
                },
            }
        ),
        iac_format="CloudFormation",
    )

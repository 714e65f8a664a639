"""Build the classroom topology with vpclab and with boto3 against moto's in-process mock.

The topology: a VPC, two subnets, an internet gateway attached, a route table with 0.0.0.0/0 to the
gateway associated with one subnet, a security group with two ingress rules (tcp 80 and 443 from
0.0.0.0/0), one instance, and an Elastic IP allocated and associated with it. vpclab builds it in a
fresh ``vpclab.Lab()`` each time; moto builds it through boto3 in one ``mock_aws()`` session (the
client is made once, outside the timing, and each build makes its own VPC). One warm-up build on
each side is not timed. Both run in the same process, so the ratio compares across machines.

Each build is timed twice: wall-clock and the process's CPU time. On a shared machine the mean
wall-clock time of a build that takes a tenth of a millisecond is dominated by the moments the
process is not scheduled at all, so the verdict uses the mean CPU time (which still includes the
garbage collector and everything else the process does); the wall-clock ratios are printed too.

Goal (issue "The core"): vpclab at least 300x faster per build.

    .venv/bin/python benchmarks/build_vs_moto.py [--builds MOTO [VPCLAB]] [--profile]

Needs boto3 and moto (the project's ``bench`` extra); everything else is the standard library.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# moto needs credentials and a Region to exist; these are fake and never leave the process.
for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-2",
}.items():
    os.environ[key] = value

import vpclab  # noqa: E402

REGION = "ap-northeast-2"
GOAL = 300


def build_vpclab() -> vpclab.Lab:
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    public = lab.create_subnet(vpc, "10.0.1.0/24")
    lab.create_subnet(vpc, "10.0.2.0/24")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    table = lab.create_route_table(vpc)
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, public)
    web = lab.create_security_group(vpc, "web", "web servers")
    lab.authorize_security_group_ingress(web, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web, "tcp", 443, cidr="0.0.0.0/0")
    instance = lab.run_instance(public, security_groups=[web])
    lab.associate_address(lab.allocate_address(), instance)
    return lab


def build_moto(ec2, image_id: str, n: int) -> str:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    web = ec2.create_security_group(GroupName=f"web-{n}", Description="web servers", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            for port in (80, 443)
        ],
    )
    instance = ec2.run_instances(
        ImageId=image_id,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        SubnetId=public,
        SecurityGroupIds=[web],
    )["Instances"][0]["InstanceId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=instance)
    return instance


def timed(build, count: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each of ``count`` builds.

    The objects alive before the run (moto and boto3 are large) are frozen out of the garbage
    collector first, so neither side pays for scanning the other's modules: each build is charged
    only for the garbage it makes itself.
    """
    gc.collect()
    gc.freeze()
    wall, cpu = [], []
    for n in range(count):
        start, start_cpu = time.perf_counter(), time.process_time()
        build(n)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def check_vpclab(lab: vpclab.Lab) -> None:
    """The build really made the topology (checked once, outside the timing)."""
    (instance,) = lab.instances.values()
    (eip,) = lab.elastic_ips.values()
    assert lab.is_public(instance.subnet) and instance.public_ip == eip.public_ip
    assert len(lab.subnets) == 2 and len(next(iter(lab.security_groups.values())).rules) == 2
    assert vpclab.Lab.from_json(lab.to_json()).to_json() == lab.to_json()


def check_moto(ec2, instance_id: str) -> None:
    described = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert described.get("PublicIpAddress"), "moto: the instance has no public address"


def summary(name: str, wall: list[float], cpu: list[float]) -> str:
    ms = lambda seconds: f"{seconds * 1e3:9.3f} ms"  # noqa: E731
    return (
        f"{name:7} {len(wall):5d} builds, total {sum(wall):7.3f} s wall, {sum(cpu):7.3f} s CPU; per build: "
        f"wall mean {ms(statistics.fmean(wall))} median {ms(statistics.median(wall))}, "
        f"CPU mean {ms(statistics.fmean(cpu))}"
    )


def hotspots(build, count: int, limit: int = 15) -> str:
    profile = cProfile.Profile()
    profile.enable()
    for n in range(count):
        build(n)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--builds",
        type=int,
        nargs="+",
        default=[50, 2000],
        metavar="N",
        help="builds to time: MOTO [VPCLAB] (default 50 2000; one number is used for both)",
    )
    parser.add_argument("--profile", action="store_true", help="print vpclab's cProfile hotspots")
    args = parser.parse_args(argv)
    if not 1 <= len(args.builds) <= 2 or min(args.builds) < 1:
        parser.error("--builds takes one or two positive numbers")
    moto_builds, vpclab_builds = args.builds[0], args.builds[-1]

    try:
        import boto3
        from moto import mock_aws
        from moto.ec2.models.amis import AMIS
    except ImportError as error:
        print(f"This benchmark needs boto3 and moto (pip install -e '.[bench]'): {error}")
        return 2

    check_vpclab(build_vpclab())
    build_vpclab()  # warm-up
    vpclab_wall, vpclab_cpu = timed(lambda n: build_vpclab(), vpclab_builds)

    image_id = AMIS[0]["ami_id"]  # an AMI moto knows in every Region
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        check_moto(ec2, build_moto(ec2, image_id, -1))  # warm-up, and a check that it worked
        moto_wall, moto_cpu = timed(lambda n: build_moto(ec2, image_id, n), moto_builds)

    print("The classroom topology: VPC, 2 subnets, gateway, route 0.0.0.0/0, association,")
    print("security group with 2 rules, 1 instance, 1 Elastic IP associated.")
    print(
        f"Python {sys.version.split()[0]}, vpclab {vpclab.__version__}, moto {_version('moto')}, "
        f"boto3 {_version('boto3')}"
    )
    print(summary("vpclab", vpclab_wall, vpclab_cpu))
    print(summary("moto", moto_wall, moto_cpu))
    ratio = statistics.fmean(moto_cpu) / statistics.fmean(vpclab_cpu)
    wall_mean = statistics.fmean(moto_wall) / statistics.fmean(vpclab_wall)
    wall_median = statistics.median(moto_wall) / statistics.median(vpclab_wall)
    verdict = "meets" if ratio >= GOAL else "MISSES"
    print(
        f"vpclab is {ratio:,.0f}x faster per build in CPU time "
        f"(wall clock: {wall_mean:,.0f}x by the mean, {wall_median:,.0f}x by the median); "
        f"goal {GOAL}x: {verdict} it"
    )
    if args.profile:
        print(hotspots(lambda n: build_vpclab(), min(vpclab_builds, 500)))
    return 0 if ratio >= GOAL else 1


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())

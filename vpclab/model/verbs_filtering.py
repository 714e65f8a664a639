"""Security groups (stateful, allow only) and network ACLs (stateless, numbered) — fact sheet §5, §6."""

from __future__ import annotations

from .addressing import ANYWHERE, ANYWHERE_V6, GROUP_TEXT, parse_cidr_any, parse_ports, parse_protocol
from .errors import (
    DependencyViolationError,
    DuplicateError,
    IncorrectStateError,
    InvalidParameterError,
    LimitExceededError,
    NotFoundError,
)
from .resources import (
    ACL_RULE_MAX,
    Action,
    InstanceState,
    NetworkAcl,
    NetworkAclEntry,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from .state import LabState, _short

RULES_PER_GROUP_DIRECTION = 60
ACL_ENTRIES_PER_DIRECTION = 20
_ACTIONS = {a.value: a for a in Action}


class FilteringVerbs(LabState):
    # ---- security groups ---------------------------------------------------------------------------
    def create_security_group(self, vpc: Vpc | str, name: str, description: str = "") -> SecurityGroup:
        """A new group: no inbound rules, one outbound rule allowing everything.

        ``description`` defaults to the name (AWS requires one; a lesson should not have to invent it).
        """
        vpc = self._get("vpc", vpc)
        if not isinstance(name, str) or not name.strip():
            raise InvalidParameterError("MissingParameter", "MissingParameter:group_name")
        name = self._check_name(name.strip(), "group_name", 255)
        # A description is text, as AWS takes it: str() of an object would store its repr.
        description = self._check_name(description or name, "description", 255)
        for parameter, text in (("group_name", name), ("description", description)):
            if not GROUP_TEXT.fullmatch(text):  # Korean text, say: AWS refuses it, so the lab does too
                raise InvalidParameterError(
                    "InvalidParameterValue", "InvalidParameterValue:group_text", parameter=parameter, value=text
                )
        if name == "default":  # AWS: the VPC's default group already holds this name
            raise InvalidParameterError("InvalidGroup.Reserved", name=name)
        if name.startswith("sg-"):
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:group_name", name=name)
        if any(g.vpc is vpc and g.group_name == name for g in self.security_groups.values()):
            raise DuplicateError("InvalidGroup.Duplicate", name=name, vpc_id=vpc.id)
        group = SecurityGroup(self._new_id("sg"), vpc, name, description)
        everywhere = [ANYWHERE, ANYWHERE_V6] if vpc.ipv6_cidr_blocks else [ANYWHERE]
        for block in everywhere:  # with IPv6, AWS adds "all to ::/0" as well (fact sheet §12.3)
            group.rules.append(SecurityGroupRule(True, parse_protocol("-1"), None, block, rule_id=self._new_id("sgr")))
        self.security_groups[group.id] = group
        return group

    def delete_security_group(self, security_group: SecurityGroup | str) -> None:
        group = self._get("sg", security_group)
        if group.is_default:
            raise DependencyViolationError("CannotDelete", group_id=group.id)
        users = [i.id for i in self._live_instances(group.vpc) if group in i.security_groups]
        users += [i.id for i in self._live_interfaces(group.vpc) if group in i.security_groups]
        users += [
            g.id
            for g in self.security_groups.values()
            if g is not group and any(r.group_id == group.id for r in g.rules)
        ]
        if users:
            raise DependencyViolationError(
                "DependencyViolation", "DependencyViolation:sg", group_id=group.id, blockers=", ".join(users)
            )
        # Its own self-references go with it. Terminated instances stay listed until their subnet
        # is deleted; they stop naming the group, so nothing in the lab refers to a missing group.
        for instance in self.instances.values():
            if group in instance.security_groups:
                instance.security_groups = [g for g in instance.security_groups if g is not group]
        del self.security_groups[group.id]
        self._bury(group)

    def modify_instance_security_groups(self, instance, security_groups) -> None:
        """Replace the groups on an instance's network interface (``ModifyInstanceAttribute --groups``)."""
        instance = self._get("i", instance)
        if instance.state is InstanceState.TERMINATED:
            raise IncorrectStateError(
                "IncorrectInstanceState", "IncorrectInstanceState:modify", instance_id=instance.id
            )
        if security_groups is None:  # "keep the default" makes no sense here: the call names the new groups
            raise InvalidParameterError("MissingParameter", "MissingParameter:security_groups")
        instance.security_groups = self._resolve_groups(instance.subnet, security_groups)

    def _rule(self, group: SecurityGroup, egress: bool, protocol, port, cidr, source_group) -> SecurityGroupRule:
        protocol = parse_protocol(protocol)
        ports = parse_ports(protocol, port)
        if (cidr is None) == (source_group is None):
            key = "MissingParameter:peer" if cidr is None else "InvalidParameterCombination:peer"
            raise InvalidParameterError(key.partition(":")[0], key)
        if cidr is not None:
            return SecurityGroupRule(egress, protocol, ports, cidr=parse_cidr_any(cidr, "cidrIp"))
        peer = self._get("sg", source_group, "source_group")
        if peer.vpc is not group.vpc:
            raise NotFoundError(
                "InvalidGroup.NotFound",
                "InvalidGroup.NotFound:different_networks",
                group_id=group.id,
                peer_id=peer.id,
            )
        return SecurityGroupRule(egress, protocol, ports, group_id=peer.id)

    def _authorize(self, egress, security_group, protocol, port, cidr, source_group) -> SecurityGroupRule:
        group = self._get("sg", security_group)
        rule = self._rule(group, egress, protocol, port, cidr, source_group)
        if any(r.key == rule.key for r in group.rules):
            raise DuplicateError("InvalidPermission.Duplicate", group_id=group.id, rule=repr(rule))
        version = rule.cidr.version if rule.cidr is not None else 4  # quotas count IPv4 and IPv6 apart
        same = [
            r for r in group.rules if r.egress == egress and (r.cidr.version if r.cidr is not None else 4) == version
        ]
        if len(same) >= RULES_PER_GROUP_DIRECTION:
            raise LimitExceededError("RulesPerSecurityGroupLimitExceeded", limit=RULES_PER_GROUP_DIRECTION)
        rule = SecurityGroupRule(*rule.key, rule_id=self._new_id("sgr"))
        group.rules.append(rule)
        return rule

    def _revoke(self, egress, security_group, protocol, port, cidr, source_group) -> None:
        group = self._get("sg", security_group)
        rule = self._rule(group, egress, protocol, port, cidr, source_group)
        for index, existing in enumerate(group.rules):
            if existing.key == rule.key:
                del group.rules[index]
                return
        raise NotFoundError("InvalidPermission.NotFound", group_id=group.id, rule=repr(rule))

    def authorize_security_group_ingress(self, security_group, protocol, port=None, cidr=None, source_group=None):
        """Allow inbound ``protocol``/``port`` from a CIDR or from members of another group.

        A group source matches only the private addresses of that group's members, never an
        internet client (EC2 User Guide, "Security group rules").
        """
        return self._authorize(False, security_group, protocol, port, cidr, source_group)

    def authorize_security_group_egress(self, security_group, protocol, port=None, cidr=None, source_group=None):
        return self._authorize(True, security_group, protocol, port, cidr, source_group)

    def revoke_security_group_ingress(self, security_group, protocol, port=None, cidr=None, source_group=None):
        self._revoke(False, security_group, protocol, port, cidr, source_group)

    def revoke_security_group_egress(self, security_group, protocol, port=None, cidr=None, source_group=None):
        self._revoke(True, security_group, protocol, port, cidr, source_group)

    # ---- network ACLs ------------------------------------------------------------------------------
    def create_network_acl(self, vpc: Vpc | str, name: str | None = None) -> NetworkAcl:
        """A custom ACL: it denies everything (only the ``*`` rules) until entries are added."""
        vpc = self._get("vpc", vpc)  # before the id: a failed call must not use up a counter
        name = self._check_name(name)
        acl = NetworkAcl(self._new_id("acl"), vpc, name=name)
        self.network_acls[acl.id] = acl
        return acl

    def delete_network_acl(self, network_acl: NetworkAcl | str) -> None:
        acl = self._get("acl", network_acl)
        if acl.is_default:
            # The fact sheet leaves this code open (§6); public scripts match InvalidParameterValue.
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:default_acl", acl_id=acl.id)
        users = [s.id for s in self.subnets.values() if s.network_acl is acl]
        if users:
            raise DependencyViolationError(
                "DependencyViolation", "DependencyViolation:acl", acl_id=acl.id, blockers=", ".join(users)
            )
        del self.network_acls[acl.id]
        self._bury(acl)

    def _entry(self, rule_number, egress, protocol, port, cidr, action) -> NetworkAclEntry:
        if isinstance(rule_number, bool) or not isinstance(rule_number, int) or not 1 <= rule_number <= ACL_RULE_MAX:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:rule_number", value=_short(rule_number)
            )
        if not isinstance(egress, bool):
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:egress", value=_short(egress))
        protocol = parse_protocol(protocol)
        parsed = action if isinstance(action, Action) else _ACTIONS.get(str(action).strip().lower())
        if parsed is None or not isinstance(action, str | Action):
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:action", value=_short(action))
        action = parsed
        return NetworkAclEntry(
            rule_number, egress, protocol, parse_ports(protocol, port), parse_cidr_any(cidr, "cidrBlock"), action
        )

    def create_network_acl_entry(self, network_acl, rule_number, egress, protocol, port, cidr, action):
        """Add a numbered rule. Lower numbers are evaluated first; the first match decides.

        Raises:
            DuplicateError: ``NetworkAclEntryAlreadyExists`` for a number already used in that direction.
        """
        acl = self._get("acl", network_acl)
        entry = self._entry(rule_number, egress, protocol, port, cidr, action)
        if (egress, rule_number) in acl.entries:
            raise DuplicateError("NetworkAclEntryAlreadyExists", rule_number=rule_number, acl_id=acl.id)
        same = [e for e in acl.entries.values() if e.egress == egress and e.cidr.version == entry.cidr.version]
        if len(same) >= ACL_ENTRIES_PER_DIRECTION:  # IPv4 and IPv6 entries are counted apart
            raise LimitExceededError("NetworkAclEntryLimitExceeded", acl_id=acl.id, limit=ACL_ENTRIES_PER_DIRECTION)
        acl.entries[(egress, rule_number)] = entry
        return entry

    def replace_network_acl_entry(self, network_acl, rule_number, egress, protocol, port, cidr, action):
        acl = self._get("acl", network_acl)
        entry = self._entry(rule_number, egress, protocol, port, cidr, action)
        if (egress, rule_number) not in acl.entries:
            raise NotFoundError("InvalidNetworkAclEntry.NotFound", rule_number=rule_number, acl_id=acl.id)
        acl.entries[(egress, rule_number)] = entry
        return entry

    def delete_network_acl_entry(self, network_acl, rule_number, egress) -> None:
        acl = self._get("acl", network_acl)
        if isinstance(rule_number, bool) or not isinstance(rule_number, int) or not 1 <= rule_number <= ACL_RULE_MAX:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:rule_number", value=_short(rule_number)
            )
        if not isinstance(egress, bool):
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:egress", value=_short(egress))
        if (egress, rule_number) not in acl.entries:
            raise NotFoundError("InvalidNetworkAclEntry.NotFound", rule_number=rule_number, acl_id=acl.id)
        del acl.entries[(egress, rule_number)]

    def replace_network_acl_association(self, network_acl: NetworkAcl | str, subnet: Subnet | str) -> str:
        """Make the subnet use this ACL (each subnet has exactly one). Returns the new association id."""
        acl, subnet = self._get("acl", network_acl), self._get("subnet", subnet)
        if acl.vpc is not subnet.vpc:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:acl_subnet_different_networks",
                acl_id=acl.id,
                subnet_id=subnet.id,
            )
        subnet.network_acl, subnet.network_acl_association_id = acl, self._new_id("aclassoc")
        return subnet.network_acl_association_id

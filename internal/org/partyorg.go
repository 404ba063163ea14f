package org

import (
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
)

// PartyOrgType is the kind of a party organisation.
type PartyOrgType string

// The structural party organisations that mirror the unit tree.
const (
	DistrictCommittee      PartyOrgType = "district_committee"       // 区委
	StreetWorkingCommittee PartyOrgType = "street_working_committee" // 街道党工委
	CommunityOrg           PartyOrgType = "community_org"            // 社区党组织
	AreaBranch             PartyOrgType = "area_branch"              // 片区党支部
	GridGroup              PartyOrgType = "grid_group"               // 网格党小组
)

// The eight types of grassroots party organisation, each with its own work
// checklist (八张清单).
const (
	StreetCommunity     PartyOrgType = "street_community"      // 街道社区
	Rural               PartyOrgType = "rural"                 // 农村
	GovernmentOrgan     PartyOrgType = "government_organ"      // 机关
	StateEnterprise     PartyOrgType = "state_enterprise"      // 国有企业
	School              PartyOrgType = "school"                // 学校
	PublicHospital      PartyOrgType = "public_hospital"       // 公立医院
	NonPublicEnterprise PartyOrgType = "non_public_enterprise" // 非公企业
	SocialOrganisation  PartyOrgType = "social_organisation"   // 社会组织
)

// ChecklistTypes are the eight grassroots types, in the usual order.
var ChecklistTypes = []PartyOrgType{StreetCommunity, Rural, GovernmentOrgan, StateEnterprise, School, PublicHospital, NonPublicEnterprise, SocialOrganisation}

// StructuralTypes are the organisations that mirror the tree level by level.
var StructuralTypes = []PartyOrgType{DistrictCommittee, StreetWorkingCommittee, CommunityOrg, AreaBranch, GridGroup}

// PartyOrgTypes lists every type.
var PartyOrgTypes = append(append([]PartyOrgType{}, StructuralTypes...), ChecklistTypes...)

// structuralLevel says at which unit type each structural organisation sits.
var structuralLevel = map[PartyOrgType]UnitType{
	DistrictCommittee:      District,
	StreetWorkingCommittee: Street,
	CommunityOrg:           Community,
	AreaBranch:             Area,
	GridGroup:              Grid,
}

// Valid reports whether t is a known type.
func (t PartyOrgType) Valid() bool {
	for _, x := range PartyOrgTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Checklist returns the checklist type a grassroots party organisation is
// held to, and false for the ones counted apart (the district committee,
// street working committees and grid party groups). Community party
// organisations and area branches are held to the street & community list.
func (t PartyOrgType) Checklist() (PartyOrgType, bool) {
	switch t {
	case CommunityOrg, AreaBranch:
		return StreetCommunity, true
	case DistrictCommittee, StreetWorkingCommittee, GridGroup:
		return "", false
	}
	return t, t.Valid()
}

// FitsUnit reports whether an organisation of type t may sit at a unit of
// type u: structural ones at their own level, grassroots ones anywhere but a
// building.
func (t PartyOrgType) FitsUnit(u UnitType) bool {
	if level, ok := structuralLevel[t]; ok {
		return level == u
	}
	return u != Building
}

// PartyOrg is a party organisation.
type PartyOrg struct {
	ID          int64
	UnitID      int64
	ParentID    int64
	Type        PartyOrgType
	Name        string
	Secretary   string
	FoundedOn   date.Date
	MemberCount int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Filled in by listings.
	UnitName   string
	UnitCode   string
	UnitPath   string
	ParentName string
}

// PartyOrgInput is a new or changed party organisation.
type PartyOrgInput struct {
	UnitID      int64
	ParentID    int64
	Type        PartyOrgType
	Name        string
	Secretary   string
	FoundedOn   string
	MemberCount int
}

// validate checks the input against the unit it sits at; it returns the
// parsed founding date.
func (in *PartyOrgInput) validate(unit *Unit) (date.Date, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Secretary = strings.TrimSpace(in.Secretary)
	var f apperr.Fields
	checkName(&f, "name", in.Name, 80)
	checkText(&f, "secretary", in.Secretary, 30)
	if !in.Type.Valid() {
		f.Add("type", "field.bad_choice")
	} else if unit != nil && !in.Type.FitsUnit(unit.Type) {
		f.Add("type", "org.party_type_level")
	}
	if in.MemberCount < 0 || in.MemberCount > 100000 {
		f.Add("member_count", "field.bad_number")
	}
	founded, err := date.Parse(in.FoundedOn)
	if err != nil {
		f.Add("founded_on", "field.bad_date")
	}
	return founded, f.Err()
}

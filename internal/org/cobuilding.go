package org

import (
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
)

// CoBuildingKind is what sort of body a co-building unit is.
type CoBuildingKind string

// The kinds of co-building unit.
const (
	CityBody     CoBuildingKind = "city_body"     // 市直单位
	DistrictBody CoBuildingKind = "district_body" // 区直单位
	Enterprise   CoBuildingKind = "state_enterprise"
	Company      CoBuildingKind = "company" // 非公企业
	SchoolBody   CoBuildingKind = "school"
	HospitalBody CoBuildingKind = "hospital"
	SocialBody   CoBuildingKind = "social_organisation"
	OtherBody    CoBuildingKind = "other"
)

// CoBuildingKinds lists the kinds in display order.
var CoBuildingKinds = []CoBuildingKind{CityBody, DistrictBody, Enterprise, Company, SchoolBody, HospitalBody, SocialBody, OtherBody}

// Valid reports whether k is a known kind.
func (k CoBuildingKind) Valid() bool {
	for _, x := range CoBuildingKinds {
		if x == k {
			return true
		}
	}
	return false
}

// CoBuildingUnit is a body that signed a co-building agreement with a
// community and joined its party-building alliance (共驻共建单位).
type CoBuildingUnit struct {
	ID          int64
	CommunityID int64
	Name        string
	Kind        CoBuildingKind
	Address     string
	Contact     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Agreements  []Agreement
	// Filled in by listings.
	CommunityName string
	CommunityPath string
}

// Agreement is a co-building agreement between a unit and a community.
type Agreement struct {
	ID            int64
	UnitID        int64
	CommunityID   int64
	SignedOn      date.Date
	ExpiresOn     date.Date
	Content       string
	CommunityName string
}

// CoBuildingInput is a new or changed co-building unit.
type CoBuildingInput struct {
	CommunityID int64
	Name        string
	Kind        CoBuildingKind
	Address     string
	Contact     string
}

func (in *CoBuildingInput) validate() error {
	in.Name, in.Address, in.Contact = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Contact)
	var f apperr.Fields
	checkName(&f, "name", in.Name, 80)
	checkText(&f, "address", in.Address, 200)
	checkText(&f, "contact", in.Contact, 60)
	if !in.Kind.Valid() {
		f.Add("kind", "field.bad_choice")
	}
	if in.CommunityID == 0 {
		f.Add("community_id", "field.required")
	}
	return f.Err()
}

// AgreementInput is a new agreement.
type AgreementInput struct {
	CommunityID int64 // 0: the unit's own community
	SignedOn    string
	ExpiresOn   string
	Content     string
}

func (in *AgreementInput) validate() (signed, expires date.Date, err error) {
	in.Content = strings.TrimSpace(in.Content)
	var f apperr.Fields
	signed, e1 := date.Parse(in.SignedOn)
	switch {
	case e1 != nil:
		f.Add("signed_on", "field.bad_date")
	case signed == "":
		f.Add("signed_on", "field.required")
	}
	expires, e2 := date.Parse(in.ExpiresOn)
	if e2 != nil {
		f.Add("expires_on", "field.bad_date")
	} else if expires != "" && signed != "" && expires < signed {
		f.Add("expires_on", "org.expires_before_signed")
	}
	if in.Content == "" {
		f.Add("content", "field.required")
	}
	checkText(&f, "content", in.Content, 2000)
	return signed, expires, f.Err()
}

// PartTimeMember is a leader of a large unit serving as a part-time member
// of a street's party working committee (兼职委员).
type PartTimeMember struct {
	ID               int64
	StreetID         int64
	CoBuildingUnitID int64
	Name             string
	Employer         string
	Position         string
	TermStart        date.Date
	TermEnd          date.Date
	CreatedAt        time.Time
	UpdatedAt        time.Time
	StreetName       string
}

// PartTimeInput is a new or changed part-time member.
type PartTimeInput struct {
	StreetID         int64
	CoBuildingUnitID int64
	Name             string
	Employer         string
	Position         string
	TermStart        string
	TermEnd          string
}

func (in *PartTimeInput) validate() (start, end date.Date, err error) {
	in.Name, in.Employer, in.Position = strings.TrimSpace(in.Name), strings.TrimSpace(in.Employer), strings.TrimSpace(in.Position)
	var f apperr.Fields
	checkName(&f, "name", in.Name, 30)
	checkName(&f, "position", in.Position, 60)
	if in.CoBuildingUnitID == 0 {
		checkName(&f, "employer", in.Employer, 80)
	} else {
		checkText(&f, "employer", in.Employer, 80)
	}
	if in.StreetID == 0 {
		f.Add("street_id", "field.required")
	}
	start, e1 := date.Parse(in.TermStart)
	if e1 != nil {
		f.Add("term_start", "field.bad_date")
	}
	end, e2 := date.Parse(in.TermEnd)
	if e2 != nil {
		f.Add("term_end", "field.bad_date")
	} else if end != "" && start != "" && end < start {
		f.Add("term_end", "org.expires_before_signed")
	}
	return start, end, f.Err()
}

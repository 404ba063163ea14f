// Package org is the unit tree that everything hangs on (district, streets,
// communities, areas, grids, buildings and the district's departments), the
// party organisations that mirror it, and the co-building units and
// part-time committee members around it (docs/domain.md §1).
//
// unit.go, partyorg.go and cobuilding.go hold the types and rules, with no
// SQL and no HTTP; store*.go hold the SQL; api.go and ui.go the handlers.
package org

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
)

// Permissions of the org module.
const (
	PermRead  auth.Perm = "org.read"
	PermWrite auth.Perm = "org.write"
)

func init() {
	auth.DefineReadPerm(PermRead)
	auth.DefineRole(auth.DistrictAdmin, PermRead, PermWrite)
	auth.DefineRole(auth.StreetStaff, PermRead, PermWrite)
	auth.DefineRole(auth.CommunityStaff, PermRead, PermWrite)
	auth.DefineRole(auth.GridMember, PermRead)
	auth.DefineRole(auth.DepartmentStaff, PermRead)
	auth.DefineRole(auth.Instructor, PermRead)
}

// UnitType is a level of the tree.
type UnitType string

// The unit types.
const (
	District   UnitType = "district"
	Street     UnitType = "street"
	Community  UnitType = "community"
	Area       UnitType = "area"
	Grid       UnitType = "grid"
	Building   UnitType = "building"
	Department UnitType = "department"
)

// UnitTypes lists the types from the top of the tree down.
var UnitTypes = []UnitType{District, Street, Community, Area, Grid, Building, Department}

// Valid reports whether t is a known unit type.
func (t UnitType) Valid() bool {
	for _, u := range UnitTypes {
		if u == t {
			return true
		}
	}
	return false
}

// Label names the type in the reader's language.
func (t UnitType) Label() i18n.Msg { return i18n.M("unit." + string(t)) }

// allowedParents says under which types each type may sit; a district is a
// root.
var allowedParents = map[UnitType][]UnitType{
	District:   nil,
	Street:     {District},
	Community:  {Street},
	Area:       {Community},
	Grid:       {Community, Area},
	Building:   {Grid},
	Department: {District},
}

// CanSitUnder reports whether a unit of type t may have a parent of type p
// (p empty: no parent).
func (t UnitType) CanSitUnder(p UnitType) bool {
	if p == "" {
		return t == District
	}
	for _, a := range allowedParents[t] {
		if a == p {
			return true
		}
	}
	return false
}

// ChildTypes lists the types that may sit under t.
func (t UnitType) ChildTypes() []UnitType {
	var out []UnitType
	for _, c := range UnitTypes {
		if c.CanSitUnder(t) {
			out = append(out, c)
		}
	}
	return out
}

// Unit is a node of the tree.
type Unit struct {
	ID        int64
	ParentID  int64 // 0 for a root
	Type      UnitType
	Code      string
	Name      string
	Path      string
	Depth     int
	Boundary  string // GeoJSON geometry, or empty
	CreatedAt time.Time
	UpdatedAt time.Time
	// Children counts the unit's direct children when a listing asks for it.
	Children int
}

// Code patterns per type (docs/domain.md §1): a district is GB/T 2260 (6 digits);
// a street adds 3 digits (GB/T 10114), a community 3 and a grid 3 (so a grid
// code has 15 digits, as in DB11/T 2157-2023); a building adds 3 to its
// grid. Areas have no national code: community code + "P" + 2 digits.
// Departments: district code + "-" + their own short code.
var codeShape = map[UnitType]*regexp.Regexp{
	District:   regexp.MustCompile(`^[1-9][0-9]{5}$`),
	Street:     regexp.MustCompile(`^[0-9]{6}[0-9]{3}$`),
	Community:  regexp.MustCompile(`^[0-9]{9}[0-9]{3}$`),
	Area:       regexp.MustCompile(`^[0-9]{12}P[0-9]{2}$`),
	Grid:       regexp.MustCompile(`^[0-9]{12}[0-9]{3}$`),
	Building:   regexp.MustCompile(`^[0-9]{15}[0-9]{3}$`),
	Department: regexp.MustCompile(`^[0-9]{6}-[0-9A-Z]{1,18}$`),
}

// CodePrefix returns the code a child of type t under parent must start
// with: the parent's code, except that a grid under an area takes its
// community's code.
func CodePrefix(t UnitType, parent *Unit) string {
	if parent == nil {
		return ""
	}
	if t == Grid && parent.Type == Area {
		return strings.SplitN(parent.Code, "P", 2)[0]
	}
	return parent.Code
}

// ValidateCode checks a unit's code against its type and parent.
func ValidateCode(t UnitType, code string, parent *Unit) *apperr.Error {
	re, ok := codeShape[t]
	if !ok {
		return nil
	}
	if !re.MatchString(code) {
		return apperr.FieldInvalid("code", "org.code_shape."+string(t))
	}
	prefix := CodePrefix(t, parent)
	if !strings.HasPrefix(code, prefix) {
		return apperr.FieldInvalid("code", "org.code_prefix", prefix)
	}
	local := strings.TrimPrefix(code, prefix)
	if strings.Trim(local, "0P-") == "" {
		return apperr.FieldInvalid("code", "org.code_zero")
	}
	return nil
}

// MaxNameLen bounds names of units and organisations.
const MaxNameLen = 60

// checkName validates a required display name into f.
func checkName(f *apperr.Fields, field, name string, max int) {
	switch {
	case name == "":
		f.Add(field, "field.required")
	case utf8.RuneCountInString(name) > max:
		f.Add(field, "field.too_long", max)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		f.Add(field, "org.name_control")
	}
}

// checkText validates optional free text into f.
func checkText(f *apperr.Fields, field, text string, max int) {
	if utf8.RuneCountInString(text) > max {
		f.Add(field, "field.too_long", max)
	} else if !utf8.ValidString(text) {
		f.Add(field, "org.name_control")
	}
}

// UnitInput is a new unit.
type UnitInput struct {
	ParentID int64
	Type     UnitType
	Code     string
	Name     string
	Boundary string // GeoJSON, or empty
}

// Normalize trims the input's text.
func (in *UnitInput) Normalize() {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	in.Name = strings.TrimSpace(in.Name)
	in.Boundary = strings.TrimSpace(in.Boundary)
}

// Validate checks a new unit against its parent (nil for a root).
func (in *UnitInput) Validate(parent *Unit) error {
	var f apperr.Fields
	checkName(&f, "name", in.Name, MaxNameLen)
	switch {
	case !in.Type.Valid():
		f.Add("type", "field.bad_choice")
	case parent == nil && in.Type != District:
		f.Add("parent_id", "field.required")
	case parent != nil && !in.Type.CanSitUnder(parent.Type):
		f.Add("type", "org.bad_nesting", in.Type.Label(), parent.Type.Label())
	default:
		if err := ValidateCode(in.Type, in.Code, parent); err != nil {
			f.Add("code", err.Fields["code"].Key, err.Fields["code"].Args...)
		}
	}
	if in.Code == "" && !f.Has("code") {
		f.Add("code", "field.required")
	}
	return f.Err()
}

// UnitPatch changes some fields of a unit; nil fields stay as they are.
type UnitPatch struct {
	Code     *string
	Name     *string
	Boundary *string // "" removes the boundary
}

// Package people is who lives in the grids and who serves them: households
// and residents (with identity numbers and phones protected by the pii
// vault), party members and the in-service members who report to their
// residence community, community workers, and each grid's staff; with
// spreadsheet import and export (docs/domain.md §1, §2, §5).
//
// people.go and the other files without SQL hold the types and rules;
// store*.go the SQL; api.go and ui*.go the handlers.
package people

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/pii"
)

// Permissions of the people module.
const (
	PermRead   auth.Perm = "people.read"
	PermWrite  auth.Perm = "people.write"
	PermUnmask auth.Perm = "people.unmask" // reveal one record's identity number and phone, with a reason
	PermBulk   auth.Perm = "people.bulk"   // import and export spreadsheets
)

func init() {
	auth.DefineReadPerm(PermRead)
	auth.DefineRole(auth.DistrictAdmin, PermRead, PermWrite, PermUnmask, PermBulk)
	auth.DefineRole(auth.StreetStaff, PermRead, PermWrite, PermBulk)
	auth.DefineRole(auth.CommunityStaff, PermRead, PermWrite, PermUnmask, PermBulk)
	auth.DefineRole(auth.GridMember, PermRead, PermWrite)
	auth.DefineRole(auth.Instructor, PermRead)
}

// Choice is a closed list of values, each with a message key "<prefix>.<value>".
type Choice struct {
	Prefix string
	Values []string
}

// Has reports whether v is one of the values.
func (c Choice) Has(v string) bool { return slices.Contains(c.Values, v) }

// The closed lists of the module.
var (
	Genders      = Choice{"gender", []string{"male", "female"}}
	IDTypes      = Choice{"idtype", []string{"id_card", "hk_macao", "taiwan", "passport", "foreign_pr", "other"}}
	Residences   = Choice{"residence", []string{"registered", "floating", "separated"}}
	Relations    = Choice{"relation", []string{"head", "spouse", "child", "parent", "grandchild", "sibling", "other"}}
	Statuses     = Choice{"rstatus", []string{"living", "deceased", "moved_out"}}
	Tags         = Choice{"tag", []string{"elderly_alone", "empty_nest", "disabled", "low_income", "special_hardship", "veteran", "left_behind_child", "serious_illness"}}
	MemberStatus = Choice{"mstatus", []string{"probationary", "full"}}
	PostKinds    = Choice{"post", []string{"organisation", "legal_aid", "poverty_jobs", "governance", "health", "culture_sport", "safety_patrol", "other"}}
	Positions    = Choice{"position", []string{"party_secretary", "director", "deputy", "committee_member", "social_worker", "grid_worker"}}
	Educations   = Choice{"education", []string{"postgraduate", "bachelor", "college", "high_school", "below"}}
	StaffRoles   = Choice{"staffrole", []string{"instructor", "leader", "member"}}
	StaffKinds   = Choice{"staffkind", []string{"", "building_head", "volunteer", "retired_party_member", "full_time", "cadre", "committee_member"}}
)

// Ethnicities are the 56 ethnic groups by the names of GB/T 3304, as a
// resident's ethnicity is stored.
var Ethnicities = []string{"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
	"白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族",
	"柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族",
	"乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族",
	"基诺族"}

// ethnicityShort maps the short forms officials write (汉 for 汉族, and the
// usual 蒙 and 维) to the full names.
var ethnicityShort = func() map[string]string {
	m := map[string]string{"蒙": "蒙古族", "维": "维吾尔族"}
	for _, e := range Ethnicities {
		m[strings.TrimSuffix(e, "族")] = e
	}
	return m
}()

// NormalizeEthnicity writes an ethnic group by its full name (汉 becomes
// 汉族), without spaces; anything else is kept as written.
func NormalizeEthnicity(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if full, ok := ethnicityShort[s]; ok {
		return full
	}
	return s
}

// CollegeOrAbove are the educations counted as a college degree or above.
var CollegeOrAbove = []string{"postgraduate", "bachelor", "college"}

// Sealed columns, for the vault's key rotation.
var SealedColumns = []pii.Column{
	{Table: "residents", Sealed: "id_number_sealed", Index: "id_number_index", Kind: "id_number", Normalize: pii.NormalizeIDNumber},
	{Table: "residents", Sealed: "phone_sealed", Index: "phone_index", Kind: "phone", Normalize: pii.NormalizePhone},
	{Table: "workers", Sealed: "id_number_sealed", Index: "id_number_index", Kind: "id_number", Normalize: pii.NormalizeIDNumber},
	{Table: "workers", Sealed: "phone_sealed", Index: "phone_index", Kind: "phone", Normalize: pii.NormalizePhone},
	{Table: "grid_staff", Sealed: "phone_sealed", Index: "phone_index", Kind: "phone", Normalize: pii.NormalizePhone},
}

// Household is a household living in a building.
type Household struct {
	ID           int64
	BuildingID   int64
	BuildingName string
	BuildingCode string
	UnitPath     string
	Room         string
	Status       string
	Members      []Resident
	CreatedAt    time.Time
}

// Resident is a person living in a household. IDNumber and Phone are the
// masked forms unless the record was revealed.
type Resident struct {
	ID          int64
	HouseholdID int64
	UnitPath    string
	Name        string
	Gender      string
	BirthDate   date.Date
	IDType      string
	IDNumber    string
	Phone       string
	Ethnicity   string
	Residence   string
	Relation    string
	Status      string
	StatusOn    date.Date
	Tags        []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Filled in by listings.
	BuildingName string
	Room         string
}

// Age is the resident's age in whole years on the district's day of the
// instant on.
func (r *Resident) Age(on time.Time) int {
	if r.BirthDate == "" {
		return 0
	}
	return r.BirthDate.YearsBetween(date.Today(on))
}

// ResidentInput is a new or changed resident, as typed.
type ResidentInput struct {
	HouseholdID int64
	Name        string
	Gender      string
	BirthDate   string
	IDType      string
	IDNumber    string
	Phone       string
	Ethnicity   string
	Residence   string
	Relation    string
	Tags        []string
}

// checkedResident is a resident input that passed validation, normalised.
type checkedResident struct {
	ResidentInput
	birth date.Date
}

// Validate checks and normalises the input on the district's day today
// (no birth after it). For identity cards the birth date and gender may be
// left empty: the number carries them; if given, they must agree with it.
func (in ResidentInput) Validate(today date.Date) (*checkedResident, error) {
	return in.validate(true, today)
}

// validate checks the input; without requireID an empty identity number
// means "keep the one on file".
func (in ResidentInput) validate(requireID bool, today date.Date) (*checkedResident, error) {
	c := &checkedResident{ResidentInput: in}
	c.Name = strings.TrimSpace(c.Name)
	c.Ethnicity = NormalizeEthnicity(c.Ethnicity)
	c.IDNumber = pii.NormalizeIDNumber(c.IDNumber)
	c.Phone = pii.NormalizePhone(c.Phone)
	if c.IDType == "" {
		c.IDType = "id_card"
	}
	if c.Residence == "" {
		c.Residence = "registered"
	}
	var f apperr.Fields
	checkPersonName(&f, "name", c.Name)
	if !IDTypes.Has(c.IDType) {
		f.Add("id_type", "field.bad_choice")
	}
	birth, err := date.Parse(c.BirthDate)
	if err != nil {
		f.Add("birth_date", "field.bad_date")
	}
	switch {
	case c.IDNumber == "":
		if requireID {
			f.Add("id_number", "field.required")
		}
	case c.IDType == "id_card":
		if p := pii.IDNumberProblem(c.IDNumber, today); p != "" {
			f.Add("id_number", p)
			break
		}
		idBirth, male := pii.IDBirthDate(c.IDNumber)
		idGender := "female"
		if male {
			idGender = "male"
		}
		switch {
		case birth == "":
			birth = date.Date(idBirth)
		case string(birth) != idBirth:
			f.Add("birth_date", "people.birth_mismatch", idBirth)
		}
		switch {
		case c.Gender == "":
			c.Gender = idGender
		case c.Gender != idGender:
			f.Add("gender", "people.gender_mismatch")
		}
	case utf8.RuneCountInString(c.IDNumber) > 30:
		f.Add("id_number", "field.too_long", 30)
	}
	// A gender left for a broken identity number to give is not a second problem.
	if !Genders.Has(c.Gender) && !(c.Gender == "" && f.Has("id_number")) {
		f.Add("gender", "field.bad_choice")
	}
	if birth.After(today) {
		f.Add("birth_date", "people.birth_future")
	}
	if c.Phone != "" {
		if p := pii.PhoneProblem(c.Phone); p != "" {
			f.Add("phone", p)
		}
	}
	if utf8.RuneCountInString(c.Ethnicity) > 10 {
		f.Add("ethnicity", "field.too_long", 10)
	}
	if !Residences.Has(c.Residence) {
		f.Add("residence", "field.bad_choice")
	}
	if c.Relation != "" && !Relations.Has(c.Relation) {
		f.Add("relation", "field.bad_choice")
	}
	seen := map[string]bool{}
	var tags []string
	for _, t := range c.Tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		if !Tags.Has(t) {
			f.Add("tags", "people.unknown_tag", t)
		}
		seen[t] = true
		tags = append(tags, t)
	}
	c.Tags = tags
	c.birth = birth
	return c, f.Err()
}

// checkPersonName validates a person's name into f.
func checkPersonName(f *apperr.Fields, field, name string) {
	switch {
	case name == "":
		f.Add(field, "field.required")
	case utf8.RuneCountInString(name) > 30:
		f.Add(field, "field.too_long", 30)
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || strings.ContainsAny(name, "<>"):
		f.Add(field, "org.name_control")
	}
}

// PartyMember is a resident who is a party member.
type PartyMember struct {
	ID               int64
	ResidentID       int64
	ResidentName     string
	UnitPath         string
	PartyOrgID       int64
	PartyOrgName     string
	JoinedOn         date.Date
	Status           string
	InService        bool
	Employer         string
	CoBuildingUnitID int64
	// Registered is the community the member reported to, if any.
	RegisteredCommunityID   int64
	RegisteredCommunityName string
	RegisteredOn            date.Date
}

// PartyMemberInput is a new or changed party member.
type PartyMemberInput struct {
	ResidentID       int64
	PartyOrgID       int64
	JoinedOn         string
	Status           string
	InService        bool
	Employer         string
	CoBuildingUnitID int64
}

func (in *PartyMemberInput) validate() (date.Date, error) {
	in.Employer = strings.TrimSpace(in.Employer)
	if in.Status == "" {
		in.Status = "full"
	}
	var f apperr.Fields
	joined, err := date.Parse(in.JoinedOn)
	if err != nil {
		f.Add("joined_on", "field.bad_date")
	}
	if !MemberStatus.Has(in.Status) {
		f.Add("status", "field.bad_choice")
	}
	if in.ResidentID == 0 {
		f.Add("resident_id", "field.required")
	}
	if in.PartyOrgID == 0 {
		f.Add("party_org_id", "field.required")
	}
	if in.InService && in.Employer == "" && in.CoBuildingUnitID == 0 {
		f.Add("employer", "people.employer_required")
	}
	if utf8.RuneCountInString(in.Employer) > 80 {
		f.Add("employer", "field.too_long", 80)
	}
	return joined, f.Err()
}

// Worker is a community worker (社区工作者).
type Worker struct {
	ID        int64
	UnitID    int64
	UnitName  string
	UnitPath  string
	Name      string
	Gender    string
	BirthDate date.Date
	IDNumber  string // masked
	Phone     string // masked
	Position  string
	Education string
	PayStep   int
	HiredOn   date.Date
}

// WorkerInput is a new or changed worker.
type WorkerInput struct {
	UnitID    int64
	Name      string
	Gender    string
	BirthDate string
	IDNumber  string
	Phone     string
	Position  string
	Education string
	PayStep   int
	HiredOn   string
}

// MaxPayStep is the top of the stepped pay scale.
const MaxPayStep = 18

func (in *WorkerInput) validate(today date.Date) (birth, hired date.Date, err error) {
	in.Name = strings.TrimSpace(in.Name)
	in.IDNumber = pii.NormalizeIDNumber(in.IDNumber)
	in.Phone = pii.NormalizePhone(in.Phone)
	var f apperr.Fields
	checkPersonName(&f, "name", in.Name)
	if !Genders.Has(in.Gender) {
		f.Add("gender", "field.bad_choice")
	}
	var e1, e2 error
	if birth, e1 = date.Parse(in.BirthDate); e1 != nil {
		f.Add("birth_date", "field.bad_date")
	}
	if hired, e2 = date.Parse(in.HiredOn); e2 != nil {
		f.Add("hired_on", "field.bad_date")
	}
	if in.IDNumber != "" {
		if p := pii.IDNumberProblem(in.IDNumber, today); p != "" {
			f.Add("id_number", p)
		}
	}
	if in.Phone != "" {
		if p := pii.PhoneProblem(in.Phone); p != "" {
			f.Add("phone", p)
		}
	}
	if !Positions.Has(in.Position) {
		f.Add("position", "field.bad_choice")
	}
	if !Educations.Has(in.Education) {
		f.Add("education", "field.bad_choice")
	}
	if in.PayStep < 1 || in.PayStep > MaxPayStep {
		f.Add("pay_step", "web.out_of_range", 1, MaxPayStep)
	}
	return birth, hired, f.Err()
}

// GridStaff is one of a grid's staff.
type GridStaff struct {
	ID         int64
	GridID     int64
	GridName   string
	UnitPath   string
	Role       string
	Kind       string
	Name       string
	Phone      string // masked
	WorkerID   int64
	ResidentID int64
	UserID     int64
	Since      date.Date
	Buildings  []int64
}

// GridStaffInput is a new or changed grid staff member.
type GridStaffInput struct {
	GridID     int64
	Role       string
	Kind       string
	Name       string
	Phone      string
	WorkerID   int64
	ResidentID int64
	UserID     int64
	Since      string
	Buildings  []int64
}

func (in *GridStaffInput) validate() (date.Date, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = pii.NormalizePhone(in.Phone)
	var f apperr.Fields
	checkPersonName(&f, "name", in.Name)
	if !StaffRoles.Has(in.Role) {
		f.Add("role", "field.bad_choice")
	}
	if !StaffKinds.Has(in.Kind) {
		f.Add("kind", "field.bad_choice")
	}
	if in.Phone != "" {
		if p := pii.PhoneProblem(in.Phone); p != "" {
			f.Add("phone", p)
		}
	}
	since, err := date.Parse(in.Since)
	if err != nil {
		f.Add("since", "field.bad_date")
	}
	return since, f.Err()
}

// DefaultServiceTarget is the yearly service target of an in-service party
// member, in hours, when the district sets none.
const DefaultServiceTarget = 50

// ServiceTargetSetting is the name of the district setting.
const ServiceTargetSetting = "service_target_hours"

// currentQuarter is the year and quarter of t in Shanghai.
func currentQuarter(t time.Time) (int, int) {
	t = t.In(date.Shanghai)
	return t.Year(), (int(t.Month())-1)/3 + 1
}

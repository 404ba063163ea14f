// Package volunteer is volunteer service and the love bank (志愿服务,
// 爱心银行; docs/domain.md §2): teams and their members, activities with shifts,
// sign-ups, check-in and check-out by QR code, hours verified by the
// organiser, the volunteer record and certificate the national rules ask
// for, and the love bank: a zero-sum, hash-chained ledger of points earned
// by verified hours and redeemed at partner merchants.
//
// volunteer.go and ledger.go hold the types and rules, with no SQL and no
// HTTP; store*.go the SQL; api.go and ui*.go the handlers.
//
// Units. Hours are minutes (int). Points are hundredths of a point
// (Points, int64), as money is fen: a district's rate says how many
// hundredths a verified hour earns (default 100: one hour, one point), so
// 90 minutes earn 1.50 points and nothing is lost to rounding an hour at a
// time; a fraction of a hundredth is dropped once, when the hours are
// verified, and the amount written is the amount owed from then on.
package volunteer

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/pii"
)

// Permissions of the volunteer module.
const (
	PermRead   auth.Perm = "volunteer.read"   // see teams, volunteers, activities, records
	PermManage auth.Perm = "volunteer.manage" // run teams and activities, verify hours, issue certificates
	PermSelf   auth.Perm = "volunteer.self"   // a volunteer's own phone page
	PermBank   auth.Perm = "lovebank.read"    // see the ledger, merchants and settlements
	PermBankAd auth.Perm = "lovebank.manage"  // merchants, settlements, reversals, the rate
	PermRedeem auth.Perm = "lovebank.redeem"  // merchant staff: redeem points
)

// The roles the module adds: a volunteer signed in to their own page, and
// a merchant's staff, each held at a unit (the volunteer's community, the
// merchant's unit).
const (
	RoleVolunteer     auth.Role = "volunteer"
	RoleMerchantStaff auth.Role = "merchant-staff"
)

func init() {
	auth.DefineReadPerm(PermRead, PermBank)
	auth.DefineOwnPerm(PermSelf, PermRedeem)
	auth.DefineRole(auth.DistrictAdmin, PermRead, PermManage, PermBank, PermBankAd)
	auth.DefineRole(auth.StreetStaff, PermRead, PermManage, PermBank)
	auth.DefineRole(auth.CommunityStaff, PermRead, PermManage, PermBank)
	auth.DefineRole(auth.GridMember, PermRead)
	auth.DefineRole(auth.Instructor, PermRead)
	auth.DefineRole(RoleVolunteer, PermSelf)
	auth.DefineRole(RoleMerchantStaff, PermRedeem)
}

// Choice is a closed list of values, each with a message key "<prefix>.<value>".
type Choice struct {
	Prefix string
	Values []string
}

// Has reports whether v is one of the values.
func (c Choice) Has(v string) bool { return slices.Contains(c.Values, v) }

// Key is the message key of value v.
func (c Choice) Key(v string) string { return c.Prefix + "." + v }

// The closed lists of the module.
var (
	// TeamTypes are the kinds of team (docs/domain.md §2).
	TeamTypes = Choice{"vol.team", []string{"party_service", "youth", "love_help", "police", "professional", "other"}}
	// Fields are the volunteer federation's ten professional fields.
	Fields = Choice{"vol.field", []string{"medical", "teaching", "legal", "psychology", "culture", "sports", "science", "rescue", "environment", "elderly_care"}}
	// Categories are what an activity serves.
	Categories = Choice{"vol.cat", []string{"community", "elderly", "patrol", "environment", "culture", "education", "health", "legal", "emergency", "other"}}
	// Skills a shift may need and a volunteer may have.
	Skills = Choice{"vol.skill", []string{"first_aid", "medical", "teaching", "legal", "psychology", "driving", "computer", "photography", "arts", "sign_language"}}
	// EntryKinds are the parts of the record besides services.
	EntryKinds = Choice{"vol.entry", []string{"training", "award", "evaluation"}}
	// Grades of an evaluation.
	Grades = Choice{"vol.grade", []string{"excellent", "good", "fair", "poor"}}
	// Genders, as people has them.
	Genders = Choice{"gender", []string{"male", "female"}}
)

// Sign-up states.
const (
	SignupPending   = "pending"
	SignupApproved  = "approved"
	SignupRejected  = "rejected"
	SignupCancelled = "cancelled"
)

// Hours states: empty until check-out, then pending until the organiser
// verifies or rejects them; revoked when their points were reversed.
const (
	HoursPending  = "pending"
	HoursVerified = "verified"
	HoursRejected = "rejected"
	HoursRevoked  = "revoked"
)

// How a check-in or check-out was made.
const (
	ByQR        = "qr"
	ByOrganiser = "organiser"
)

// Windows around a shift: check-in opens before it starts, check-out by QR
// closes some time after it ends (the organiser may mark either later).
const (
	CheckInEarly = 30 * time.Minute
	CheckOutLate = 2 * time.Hour
)

// Points are hundredths of a love-bank point.
type Points int64

// DefaultRate is what a verified hour earns when the district sets no
// rate: one point.
const DefaultRate Points = 100

// DefaultFenPerPoint is what the bank pays a merchant per point at
// settlement when the district sets nothing: one yuan.
const DefaultFenPerPoint = 100

// String writes points with two decimals, like 12.50.
func (p Points) String() string {
	sign := ""
	v := int64(p)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Float is the points as a number, for JSON and charts.
func (p Points) Float() float64 { return float64(p) / 100 }

// ParsePoints reads points written like 12, 12.5 or 12.50.
func ParsePoints(s string) (Points, error) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("not an amount of points: %q", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e12 {
		return 0, fmt.Errorf("not an amount of points: %q", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if strings.Trim(frac, "0123456789") != "" {
		return 0, fmt.Errorf("not an amount of points: %q", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an amount of points: %q", s)
	}
	return Points(w*100 + f), nil
}

// Earned is what minutes of verified service earn at rate points an hour,
// the fraction of a hundredth dropped.
func Earned(minutes int, rate Points) Points {
	if minutes <= 0 || rate <= 0 {
		return 0
	}
	return Points(int64(minutes) * int64(rate) / 60)
}

// Hours writes minutes as hours with one decimal, like 2.5.
func Hours(minutes int64) string {
	return strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64)
}

// Period is the month (YYYYMM) of t in Shanghai, the key of the rankings.
func Period(t time.Time) int {
	t = t.In(date.Shanghai)
	return t.Year()*100 + int(t.Month())
}

// ServedMinutes is the time from check-in to check-out, capped by the
// shift: time before the shift starts or after it ends does not count.
func ServedMinutes(shiftStart, shiftEnd, in, out time.Time) int {
	if in.Before(shiftStart) {
		in = shiftStart
	}
	if out.After(shiftEnd) {
		out = shiftEnd
	}
	if !out.After(in) {
		return 0
	}
	return int(out.Sub(in) / time.Minute)
}

// ShiftMinutes is a shift's length in minutes, the most it can earn.
func ShiftMinutes(start, end time.Time) int { return int(end.Sub(start) / time.Minute) }

// Overlaps reports whether [a1, a2) and [b1, b2) share a moment.
func Overlaps(a1, a2, b1, b2 time.Time) bool { return a1.Before(b2) && b1.Before(a2) }

// Team is a volunteer team at a unit.
type Team struct {
	ID          int64
	UnitID      int64
	UnitName    string
	UnitPath    string
	Type        string
	Field       string
	Name        string
	Description string
	FoundedOn   date.Date
	Status      string
	Members     int // active members, when a listing asks
	CreatedAt   time.Time
}

// TeamInput is a new or changed team.
type TeamInput struct {
	UnitID      int64
	Type        string
	Field       string
	Name        string
	Description string
	FoundedOn   string
}

func (in *TeamInput) validate() (date.Date, error) {
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	var f apperr.Fields
	checkName(&f, "name", in.Name, 60)
	checkText(&f, "description", in.Description, 1000)
	if in.UnitID == 0 {
		f.Add("unit_id", "field.required")
	}
	if !TeamTypes.Has(in.Type) {
		f.Add("type", "field.bad_choice")
	}
	switch {
	case in.Type == "professional" && !Fields.Has(in.Field):
		f.Add("field", "vol.field_required")
	case in.Type != "professional" && in.Field != "":
		f.Add("field", "vol.field_only_professional")
	}
	founded, err := date.Parse(in.FoundedOn)
	if err != nil {
		f.Add("founded_on", "field.bad_date")
	}
	return founded, f.Err()
}

// Volunteer is a registered volunteer. IDNumber and Phone are masked.
type Volunteer struct {
	ID           int64
	UnitID       int64
	UnitName     string
	UnitPath     string
	Number       string
	ResidentID   int64
	UserID       int64
	Name         string
	Gender       string
	BirthDate    date.Date
	IDNumber     string
	Phone        string
	Skills       []string
	Status       string
	RegisteredOn date.Date
	CreatedAt    time.Time
	// Filled in by reads that ask: verified minutes, the account.
	VerifiedMinutes int64
	AccountID       int64
	Balance         Points
}

// VolunteerInput registers a volunteer: either a resident of the district
// (ResidentID; the record keeps no copy of what people holds and the
// volunteer is registered at the resident's community) or anyone else at
// a community, with their name, identity number and phone.
type VolunteerInput struct {
	UnitID       int64
	ResidentID   int64
	UserID       int64
	Name         string
	Gender       string
	IDNumber     string
	Phone        string
	Skills       []string
	RegisteredOn string
}

type checkedVolunteer struct {
	VolunteerInput
	birth      date.Date
	registered date.Date
}

func (in VolunteerInput) validate(now time.Time) (*checkedVolunteer, error) {
	c := &checkedVolunteer{VolunteerInput: in}
	today := date.Today(now)
	c.Name = strings.TrimSpace(c.Name)
	c.IDNumber = pii.NormalizeIDNumber(c.IDNumber)
	c.Phone = pii.NormalizePhone(c.Phone)
	var f apperr.Fields
	if c.ResidentID == 0 {
		if c.UnitID == 0 {
			f.Add("unit_id", "field.required")
		}
		checkPersonName(&f, "name", c.Name)
		switch {
		case c.IDNumber == "":
			f.Add("id_number", "field.required")
		default:
			if p := pii.IDNumberProblem(c.IDNumber, today); p != "" {
				f.Add("id_number", p)
				break
			}
			birth, male := pii.IDBirthDate(c.IDNumber)
			c.birth = date.Date(birth)
			c.Gender = "female"
			if male {
				c.Gender = "male"
			}
		}
		if c.Phone != "" {
			if p := pii.PhoneProblem(c.Phone); p != "" {
				f.Add("phone", p)
			}
		}
	}
	seen := map[string]bool{}
	var skills []string
	for _, s := range c.Skills {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] {
			continue
		}
		if !Skills.Has(s) {
			f.Add("skills", "vol.unknown_skill", s)
		}
		seen[s] = true
		skills = append(skills, s)
	}
	slices.Sort(skills)
	c.Skills = skills
	reg, err := date.Parse(c.RegisteredOn)
	switch {
	case err != nil:
		f.Add("registered_on", "field.bad_date")
	case reg == "":
		reg = today
	case reg.After(today):
		f.Add("registered_on", "vol.date_future")
	}
	c.registered = reg
	return c, f.Err()
}

// Member is a volunteer's membership of a team.
type Member struct {
	ID            int64
	TeamID        int64
	TeamName      string
	TeamType      string
	VolunteerID   int64
	VolunteerName string
	Number        string
	Role          string
	JoinedOn      date.Date
	LeftOn        date.Date
}

// Activity is a volunteer activity with its shifts.
type Activity struct {
	ID            int64
	UnitID        int64
	UnitName      string
	UnitPath      string
	TeamID        int64
	TeamName      string
	Title         string
	Category      string
	Description   string
	Place         string
	Lon, Lat      float64
	HasPoint      bool
	NeedsApproval bool
	TeamOnly      bool
	Status        string
	StartsAt      time.Time
	EndsAt        time.Time
	CreatedBy     int64
	Shifts        []Shift
	CreatedAt     time.Time
}

// Shift is one shift of an activity.
type Shift struct {
	ID         int64
	ActivityID int64
	UnitPath   string
	StartsAt   time.Time
	EndsAt     time.Time
	Capacity   int
	Skills     []string
	InCode     string
	OutCode    string
	Taken      int // pending and approved sign-ups
}

// Minutes is the shift's length.
func (s *Shift) Minutes() int { return ShiftMinutes(s.StartsAt, s.EndsAt) }

// Free is how many places are left.
func (s *Shift) Free() int { return max(s.Capacity-s.Taken, 0) }

// ActivityInput is a new activity with its shifts.
type ActivityInput struct {
	UnitID        int64 // the community (or street) publishing it; a team's unit if TeamID is set
	TeamID        int64
	Title         string
	Category      string
	Description   string
	Place         string
	Lon, Lat      *float64
	NeedsApproval bool
	TeamOnly      bool
	Shifts        []ShiftInput
}

// ShiftInput is a new shift.
type ShiftInput struct {
	StartsAt time.Time
	EndsAt   time.Time
	Capacity int
	Skills   []string
}

// span is the activity's time: from the earliest shift's start to the
// latest one's end. It needs a shift (validate makes sure of one).
func (in *ActivityInput) span() (start, end time.Time) {
	start, end = in.Shifts[0].StartsAt, in.Shifts[0].EndsAt
	for _, sh := range in.Shifts {
		if sh.StartsAt.Before(start) {
			start = sh.StartsAt
		}
		if sh.EndsAt.After(end) {
			end = sh.EndsAt
		}
	}
	return start, end
}

// MaxShifts bounds the shifts of one activity.
const MaxShifts = 50

func (in *ActivityInput) validate(now time.Time) error {
	in.Title, in.Description, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description), strings.TrimSpace(in.Place)
	var f apperr.Fields
	checkName(&f, "title", in.Title, 80)
	checkText(&f, "description", in.Description, 2000)
	checkText(&f, "place", in.Place, 120)
	if in.UnitID == 0 && in.TeamID == 0 {
		f.Add("unit_id", "field.required")
	}
	if !Categories.Has(in.Category) {
		f.Add("category", "field.bad_choice")
	}
	if (in.Lon == nil) != (in.Lat == nil) {
		f.Add("lon", "vol.point_both")
	} else if in.Lon != nil && !(*in.Lon >= -180 && *in.Lon <= 180 && *in.Lat >= -90 && *in.Lat <= 90) { // NaN fails too
		f.Add("lon", "vol.point_range")
	}
	if in.TeamOnly && in.TeamID == 0 {
		f.Add("team_only", "vol.team_only_needs_team")
	}
	switch {
	case len(in.Shifts) == 0:
		f.Add("shifts", "vol.shift_required")
	case len(in.Shifts) > MaxShifts:
		f.Add("shifts", "vol.too_many_shifts", MaxShifts)
	}
	for i := range in.Shifts {
		s := &in.Shifts[i]
		field := fmt.Sprintf("shifts.%d", i)
		s.StartsAt, s.EndsAt = s.StartsAt.UTC().Truncate(time.Minute), s.EndsAt.UTC().Truncate(time.Minute)
		switch {
		case s.StartsAt.IsZero() || s.EndsAt.IsZero():
			f.Add(field, "vol.shift_times")
		case !s.EndsAt.After(s.StartsAt):
			f.Add(field, "vol.shift_order")
		case s.EndsAt.Sub(s.StartsAt) > 24*time.Hour:
			f.Add(field, "vol.shift_too_long")
		case s.StartsAt.Before(now):
			f.Add(field, "vol.shift_past")
		}
		if s.Capacity < 1 || s.Capacity > 10000 {
			f.Add(field, "web.out_of_range", 1, 10000)
		}
		for _, sk := range s.Skills {
			if !Skills.Has(sk) {
				f.Add(field, "vol.unknown_skill", sk)
			}
		}
	}
	return f.Err()
}

// Signup is a volunteer on a shift.
type Signup struct {
	ID            int64
	ShiftID       int64
	ActivityID    int64
	ActivityTitle string
	TeamID        int64
	VolunteerID   int64
	VolunteerName string
	VolunteerUser int64
	UnitPath      string
	StartsAt      time.Time
	EndsAt        time.Time
	Status        string
	CheckInAt     *time.Time
	CheckInHow    string
	CheckOutAt    *time.Time
	CheckOutHow   string
	Minutes       int
	HoursStatus   string
	Reason        string
	Points        Points
	TransferSeq   int64
	CreatedAt     time.Time
}

// Active reports whether the sign-up holds a place.
func (s *Signup) Active() bool { return s.Status == SignupPending || s.Status == SignupApproved }

// CanCheckIn reports why the sign-up may not check in at now by QR code
// (a message key), or "" if it may.
func (s *Signup) CanCheckIn(now time.Time) string {
	switch {
	case s.Status == SignupPending:
		return "vol.not_approved"
	case s.Status != SignupApproved:
		return "vol.signup_inactive"
	case s.CheckInAt != nil:
		return "vol.already_in"
	case now.Before(s.StartsAt.Add(-CheckInEarly)):
		return "vol.too_early"
	case !now.Before(s.EndsAt):
		return "vol.shift_over"
	}
	return ""
}

// CanCheckOut reports why the sign-up may not check out at now by QR code,
// or "".
func (s *Signup) CanCheckOut(now time.Time) string {
	switch {
	case s.Status != SignupApproved:
		return "vol.signup_inactive"
	case s.CheckInAt == nil:
		return "vol.out_before_in"
	case s.CheckOutAt != nil:
		return "vol.already_out"
	case now.After(s.EndsAt.Add(CheckOutLate)):
		return "vol.checkout_closed"
	}
	return ""
}

// EntryInput is a training, award or evaluation for the record.
type EntryInput struct {
	Kind    string
	On      string
	Title   string
	Issuer  string
	Minutes int
	Grade   string
	Note    string
}

func (in *EntryInput) validate(now time.Time) (date.Date, error) {
	in.Title, in.Issuer, in.Note = strings.TrimSpace(in.Title), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.Note)
	var f apperr.Fields
	if !EntryKinds.Has(in.Kind) {
		f.Add("kind", "field.bad_choice")
	}
	on, err := date.Parse(in.On)
	switch {
	case err != nil:
		f.Add("on", "field.bad_date")
	case on == "":
		f.Add("on", "field.required")
	case on.After(date.Today(now)):
		f.Add("on", "vol.date_future")
	}
	checkName(&f, "title", in.Title, 80)
	checkText(&f, "issuer", in.Issuer, 80)
	checkText(&f, "note", in.Note, 500)
	switch in.Kind {
	case "training":
		if in.Minutes < 0 || in.Minutes > 1000*60 {
			f.Add("minutes", "web.out_of_range", 0, 1000*60)
		}
	case "evaluation":
		if !Grades.Has(in.Grade) {
			f.Add("grade", "field.bad_choice")
		}
	}
	if in.Kind != "evaluation" {
		in.Grade = ""
	}
	if in.Kind != "training" {
		in.Minutes = 0
	}
	return on, f.Err()
}

// Entry is one line of a volunteer's record besides services.
type Entry struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	On         date.Date `json:"on"`
	Title      string    `json:"title"`
	Issuer     string    `json:"issuer"`
	Minutes    int       `json:"minutes"`
	Grade      string    `json:"grade"`
	Note       string    `json:"note"`
	RecordedBy string    `json:"recorded_by"`
}

// Service is one verified service on a volunteer's record.
type Service struct {
	SignupID  int64
	On        date.Date
	Activity  string
	Category  string
	Place     string
	Organiser string
	Minutes   int
	Points    Points
}

// Record is a volunteer's record as the national rules ask for it: basic
// information, services, training, awards and evaluations.
type Record struct {
	Volunteer    Volunteer
	Teams        []Member
	Services     []Service
	Trainings    []Entry
	Awards       []Entry
	Evaluations  []Entry
	Certificates []Certificate
	TotalMinutes int64
}

// Certificate is a volunteer service certificate (志愿服务证明).
type Certificate struct {
	ID            int64
	Number        string
	VolunteerID   int64
	VolunteerName string
	IDNumber      string // masked
	UnitID        int64
	Issuer        string
	IssuedOn      date.Date
	From, To      date.Date
	Minutes       int64
	Services      int
	Content       []Service
	IssuedBy      string
}

// newCode returns n characters from an alphabet without look-alikes
// (no 0/O, 1/I/L), for codes people may type.
func newCode(n int) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// NormalizeCode reads a typed or scanned code: upper case, without spaces
// or dashes, and without the URL around it if a QR code carried one.
func NormalizeCode(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "code="); i >= 0 {
		s = s[i+len("code="):]
		if j := strings.IndexAny(s, "&#"); j >= 0 {
			s = s[:j]
		}
	}
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// GroupCode writes a code in groups of four, as it is printed.
func GroupCode(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaskName shows a name with its middle hidden, for the public
// certificate check: 王小明 → 王*明, 李明 → 李*.
func MaskName(name string) string {
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

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

func checkText(f *apperr.Fields, field, text string, max int) {
	if utf8.RuneCountInString(text) > max {
		f.Add(field, "field.too_long", max)
	} else if !utf8.ValidString(text) {
		f.Add(field, "org.name_control")
	}
}

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

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Shown forms, for pages.

// Hours is the volunteer's verified service in hours.
func (v *Volunteer) Hours() string { return Hours(v.VerifiedMinutes) }

// Hours is the shift's length in hours.
func (s *Shift) Hours() string { return Hours(int64(s.Minutes())) }

// When is the shift's time in Shanghai, like 2026-03-03 09:00–12:00.
func (s *Shift) When() string { return span(s.StartsAt, s.EndsAt) }

// Hours is the sign-up's minutes in hours.
func (s *Signup) Hours() string { return Hours(int64(s.Minutes)) }

// When is the shift's time in Shanghai.
func (s *Signup) When() string { return span(s.StartsAt, s.EndsAt) }

// Hours is the service in hours.
func (s *Service) Hours() string { return Hours(int64(s.Minutes)) }

// Hours is the training's length in hours.
func (e *Entry) Hours() string { return Hours(int64(e.Minutes)) }

// Hours is the certified service in hours.
func (c *Certificate) Hours() string { return Hours(c.Minutes) }

// When is the activity's time in Shanghai.
func (a *Activity) When() string { return span(a.StartsAt, a.EndsAt) }

// Free is the places left on all shifts.
func (a *Activity) Free() int {
	n := 0
	for i := range a.Shifts {
		n += a.Shifts[i].Free()
	}
	return n
}

// VerifiedHours is the verified service in hours.
func (o *Overview) VerifiedHours() string { return Hours(o.VerifiedMinutes) }

// PoliceHours is the volunteer police's verified service in hours.
func (o *Overview) PoliceHours() string { return Hours(o.PoliceMinutes) }

func span(from, to time.Time) string {
	a, b := from.In(date.Shanghai), to.In(date.Shanghai)
	if a.Format(date.Layout) == b.Format(date.Layout) {
		return a.Format("2006-01-02 15:04") + "–" + b.Format("15:04")
	}
	return a.Format("2006-01-02 15:04") + " – " + b.Format("01-02 15:04")
}

// Hours is the record's verified service in hours.
func (r *Record) Hours() string { return Hours(r.TotalMinutes) }

// InLocal is the check-in (or the shift's start) for a datetime-local field.
func (s *Signup) InLocal() string {
	t := s.StartsAt
	if s.CheckInAt != nil {
		t = *s.CheckInAt
	}
	return t.In(date.Shanghai).Format("2006-01-02T15:04")
}

// OutLocal is the check-out (or the shift's end) for a datetime-local field.
func (s *Signup) OutLocal() string {
	t := s.EndsAt
	if s.CheckOutAt != nil {
		t = *s.CheckOutAt
	}
	return t.In(date.Shanghai).Format("2006-01-02T15:04")
}

// Started reports whether the shift has started at now.
func (s *Shift) Started(now time.Time) bool { return !now.Before(s.StartsAt) }

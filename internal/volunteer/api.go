package volunteer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/web"
)

// API serves /api/v1/volunteer/...: teams, volunteers and their records,
// activities, sign-ups, check-in, verification, rankings, and the love
// bank (accounts, transfers, merchants, redemptions, settlements). Every
// read and write is scoped by the store; points are numbers with two
// decimals, hours numbers with one, minutes whole.
type API struct{ Store *Store }

const api = "/api/v1/volunteer"

// Register adds the API's routes.
func (a *API) Register(rt *web.Routes) {
	rt.Handle("GET "+api+"/certificate-check", web.Public(), web.API(a.checkCertificate))

	rt.API("GET "+api+"/overview", web.Read(PermRead), own(a.Store.Overview, OverviewToJSON))
	rt.API("GET "+api+"/teams", web.Read(PermRead), a.listTeams)
	rt.API("POST "+api+"/teams", web.Write(PermManage), a.createTeam)
	rt.APIByID("GET "+api+"/teams/{id}", web.Read(PermRead).On("team"), one(a.Store.Team, teamJSON))
	rt.APIByID("PATCH "+api+"/teams/{id}", web.Write(PermManage).On("team"), a.patchTeam)
	rt.APIByID("GET "+api+"/teams/{id}/members", web.Read(PermRead).On("team"), a.listMembers)
	rt.APIByID("POST "+api+"/teams/{id}/members", web.Write(PermManage).On("team"), a.join)
	rt.APIByID("POST "+api+"/teams/{id}/members/{vid}/leave", web.Write(PermManage).On("team", "volunteer"), a.leave)

	rt.API("GET "+api+"/volunteers", web.Read(PermRead), a.listVolunteers)
	rt.API("POST "+api+"/volunteers", web.Write(PermManage), a.createVolunteer)
	rt.APIByID("GET "+api+"/volunteers/{id}", web.Read(PermRead).On("volunteer"), one(a.Store.Volunteer, volunteerJSON))
	rt.APIByID("PATCH "+api+"/volunteers/{id}", web.Write(PermManage).On("volunteer"), a.patchVolunteer)
	rt.APIByID("GET "+api+"/volunteers/{id}/record", web.Read(PermRead).On("volunteer"), one(a.Store.Record, recordJSON))
	rt.APIByID("POST "+api+"/volunteers/{id}/entries", web.Write(PermManage).On("volunteer"), a.addEntry)
	rt.APIByID("POST "+api+"/volunteers/{id}/certificates", web.Write(PermManage).On("volunteer"), a.issueCertificate)
	rt.APIByID("GET "+api+"/certificates/{id}", web.Read(PermRead, PermSelf).On("certificate"), one(a.Store.Certificate, certificateJSON))

	rt.API("GET "+api+"/activities", web.Read(PermRead), a.listActivities)
	rt.API("POST "+api+"/activities", web.Write(PermManage), a.createActivity)
	rt.APIByID("GET "+api+"/activities/{id}", web.Read(PermRead, PermSelf).On("activity"), a.getActivity)
	rt.APIByID("POST "+api+"/activities/{id}/cancel", web.Write(PermManage).On("activity"), a.cancelActivity)
	rt.APIByID("GET "+api+"/activities/{id}/signups", web.Read(PermRead).On("activity"), a.listSignups)
	rt.APIByID("POST "+api+"/shifts/{id}/signups", web.Write(PermManage, PermSelf).On("shift"), a.signUp)
	rt.APIByID("POST "+api+"/signups/{id}/{action}", web.Write(PermManage, PermSelf).On("signup", "signup_action"), a.signupAction)
	rt.API("POST "+api+"/scan", web.Write(PermSelf), a.scan)
	rt.API("GET "+api+"/rankings", web.Read(PermRead, PermSelf), a.rankings)

	rt.API("GET "+api+"/me", web.Read(PermSelf), a.me)
	rt.API("GET "+api+"/me/upcoming", web.Read(PermSelf), a.upcoming)
	rt.API("GET "+api+"/me/record", web.Read(PermSelf), own(a.Store.MyRecord, recordJSON))
	rt.API("POST "+api+"/me/pass", web.Write(PermSelf), a.pass)

	rt.API("GET "+api+"/settings", web.Read(PermBank), a.settings)
	rt.API("PUT "+api+"/settings", web.Write(PermBankAd), a.putSettings)
	rt.APIByID("GET "+api+"/accounts/{id}", web.Read(PermBank, PermSelf).On("account"), a.account)
	rt.API("GET "+api+"/transfers", web.Read(PermBank), a.listTransfers)
	rt.APIByID("GET "+api+"/transfers/{id}", web.Read(PermBank).On("transfer"), one(a.Store.Transfer, transferJSON))
	rt.APIByID("POST "+api+"/transfers/{id}/reverse", web.Write(PermBankAd).On("transfer"), a.reverse)
	rt.API("GET "+api+"/ledger", web.Read(PermBankAd), a.verifyLedger)

	rt.API("GET "+api+"/merchants", web.Read(PermBank), a.listMerchants)
	rt.API("POST "+api+"/merchants", web.Write(PermBankAd), a.createMerchant)
	rt.APIByID("GET "+api+"/merchants/{id}", web.Read(PermBank, PermRedeem).On("merchant"), one(a.Store.Merchant, merchantJSON))
	rt.APIByID("POST "+api+"/merchants/{id}/items", web.Write(PermBankAd, PermBank).On("merchant"), a.addItem)
	rt.APIByID("POST "+api+"/merchants/{id}/staff", web.Write(PermBankAd, PermBank).On("merchant"), a.addStaff)
	rt.APIByID("GET "+api+"/merchants/{id}/redemptions", web.Read(PermBank, PermRedeem).On("merchant"), a.merchantRedemptions)
	rt.APIByID("GET "+api+"/merchants/{id}/settlement", web.Read(PermBank, PermRedeem).On("merchant"), a.settlementReport)
	rt.APIByID("GET "+api+"/merchants/{id}/settlements", web.Read(PermBank, PermRedeem).On("merchant"), a.listSettlements)
	rt.APIByID("POST "+api+"/merchants/{id}/settlements", web.Write(PermBankAd, PermBank).On("merchant"), a.settle)
	rt.API("POST "+api+"/redemptions", web.Write(PermRedeem), a.redeem)
}

// one serves the read of one record the actor may see, shaped for the API.
func one[T, J any](get func(context.Context, *auth.Actor, int64) (*T, error), shape func(*T) J) func(*http.Request, *auth.Actor, int64) (any, error) {
	return func(r *http.Request, actor *auth.Actor, id int64) (any, error) {
		v, err := get(r.Context(), actor, id)
		if err != nil {
			return nil, err
		}
		return shape(v), nil
	}
}

// own serves a read of the actor's own (their record, their figures),
// shaped for the API.
func own[T, J any](get func(context.Context, *auth.Actor) (*T, error), shape func(*T) J) func(*http.Request, *auth.Actor) (any, error) {
	return func(r *http.Request, actor *auth.Actor) (any, error) {
		v, err := get(r.Context(), actor)
		if err != nil {
			return nil, err
		}
		return shape(v), nil
	}
}

// shapeAll shapes every element of list for the API; never nil, so that
// an empty list is [] in JSON.
func shapeAll[T, J any](list []T, shape func(*T) J) []J {
	out := make([]J, len(list))
	for i := range list {
		out[i] = shape(&list[i])
	}
	return out
}

// idOrNil is an optional id for JSON: null for 0.
func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// decodeOptional reads an optional JSON body into v; without a body v
// keeps its zero values.
func decodeOptional(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return web.DecodeJSON(r, v)
}

// ---- JSON shapes

// TeamJSON is a team in the API.
type TeamJSON struct {
	ID          int64     `json:"id"`
	UnitID      int64     `json:"unit_id"`
	UnitName    string    `json:"unit_name"`
	Type        string    `json:"type"`
	Field       string    `json:"field"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	FoundedOn   date.Date `json:"founded_on"`
	Members     int       `json:"members"`
}

func teamJSON(t *Team) TeamJSON {
	return TeamJSON{ID: t.ID, UnitID: t.UnitID, UnitName: t.UnitName, Type: t.Type, Field: t.Field, Name: t.Name, Description: t.Description,
		FoundedOn: t.FoundedOn, Members: t.Members}
}

// MemberJSON is a membership in the API.
type MemberJSON struct {
	TeamID        int64     `json:"team_id"`
	TeamName      string    `json:"team_name"`
	VolunteerID   int64     `json:"volunteer_id"`
	VolunteerName string    `json:"volunteer_name"`
	Number        string    `json:"number"`
	Role          string    `json:"role"`
	JoinedOn      date.Date `json:"joined_on"`
	LeftOn        date.Date `json:"left_on"`
}

func memberJSON(m *Member) MemberJSON {
	return MemberJSON{TeamID: m.TeamID, TeamName: m.TeamName, VolunteerID: m.VolunteerID, VolunteerName: m.VolunteerName, Number: m.Number,
		Role: m.Role, JoinedOn: m.JoinedOn, LeftOn: m.LeftOn}
}

// VolunteerJSON is a volunteer in the API, masked.
type VolunteerJSON struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Name         string    `json:"name"`
	Gender       string    `json:"gender"`
	BirthDate    date.Date `json:"birth_date"`
	IDNumber     string    `json:"id_number"`
	Phone        string    `json:"phone"`
	UnitID       int64     `json:"unit_id"`
	UnitName     string    `json:"unit_name"`
	ResidentID   *int64    `json:"resident_id"`
	Skills       []string  `json:"skills"`
	Status       string    `json:"status"`
	RegisteredOn date.Date `json:"registered_on"`
	Minutes      int64     `json:"verified_minutes"`
	Hours        float64   `json:"verified_hours"`
	AccountID    int64     `json:"account_id"`
	Points       float64   `json:"points"`
}

func volunteerJSON(v *Volunteer) VolunteerJSON {
	j := VolunteerJSON{ID: v.ID, Number: v.Number, Name: v.Name, Gender: v.Gender, BirthDate: v.BirthDate, IDNumber: v.IDNumber, Phone: v.Phone,
		UnitID: v.UnitID, UnitName: v.UnitName, Skills: v.Skills, Status: v.Status, RegisteredOn: v.RegisteredOn, Minutes: v.VerifiedMinutes,
		Hours: hours1(v.VerifiedMinutes), AccountID: v.AccountID, Points: v.Balance.Float(), ResidentID: idOrNil(v.ResidentID)}
	if j.Skills == nil {
		j.Skills = []string{}
	}
	return j
}

func hours1(minutes int64) float64 { return float64(minutes*10/60) / 10 }

// ShiftJSON is a shift in the API. The check-in codes are given only to
// those who run the activity.
type ShiftJSON struct {
	ID       int64     `json:"id"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Capacity int       `json:"capacity"`
	Taken    int       `json:"taken"`
	Skills   []string  `json:"skills"`
	InCode   string    `json:"check_in_code,omitempty"`
	OutCode  string    `json:"check_out_code,omitempty"`
}

// ActivityJSON is an activity in the API.
type ActivityJSON struct {
	ID            int64       `json:"id"`
	Title         string      `json:"title"`
	Category      string      `json:"category"`
	Description   string      `json:"description"`
	Place         string      `json:"place"`
	Lon           *float64    `json:"lon"`
	Lat           *float64    `json:"lat"`
	UnitID        int64       `json:"unit_id"`
	UnitName      string      `json:"unit_name"`
	TeamID        *int64      `json:"team_id"`
	TeamName      string      `json:"team_name"`
	NeedsApproval bool        `json:"needs_approval"`
	TeamOnly      bool        `json:"team_only"`
	Status        string      `json:"status"`
	StartsAt      time.Time   `json:"starts_at"`
	EndsAt        time.Time   `json:"ends_at"`
	Shifts        []ShiftJSON `json:"shifts"`
}

func activityJSON(a *Activity, codes bool) ActivityJSON {
	j := ActivityJSON{ID: a.ID, Title: a.Title, Category: a.Category, Description: a.Description, Place: a.Place, UnitID: a.UnitID, UnitName: a.UnitName,
		TeamID: idOrNil(a.TeamID), TeamName: a.TeamName, NeedsApproval: a.NeedsApproval, TeamOnly: a.TeamOnly, Status: a.Status, StartsAt: a.StartsAt,
		EndsAt: a.EndsAt, Shifts: []ShiftJSON{}}
	if a.HasPoint {
		lon, lat := a.Lon, a.Lat
		j.Lon, j.Lat = &lon, &lat
	}
	for _, s := range a.Shifts {
		sj := ShiftJSON{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity, Taken: s.Taken, Skills: s.Skills}
		if sj.Skills == nil {
			sj.Skills = []string{}
		}
		if codes {
			sj.InCode, sj.OutCode = s.InCode, s.OutCode
		}
		j.Shifts = append(j.Shifts, sj)
	}
	return j
}

// SignupJSON is a sign-up in the API.
type SignupJSON struct {
	ID            int64      `json:"id"`
	ShiftID       int64      `json:"shift_id"`
	ActivityID    int64      `json:"activity_id"`
	ActivityTitle string     `json:"activity_title"`
	VolunteerID   int64      `json:"volunteer_id"`
	VolunteerName string     `json:"volunteer_name"`
	StartsAt      time.Time  `json:"starts_at"`
	EndsAt        time.Time  `json:"ends_at"`
	Status        string     `json:"status"`
	CheckInAt     *time.Time `json:"check_in_at"`
	CheckOutAt    *time.Time `json:"check_out_at"`
	Minutes       int        `json:"minutes"`
	HoursStatus   string     `json:"hours_status"`
	Reason        string     `json:"reason"`
	Points        float64    `json:"points"`
	TransferSeq   *int64     `json:"transfer"`
}

func signupJSON(g *Signup) SignupJSON {
	return SignupJSON{ID: g.ID, ShiftID: g.ShiftID, ActivityID: g.ActivityID, ActivityTitle: g.ActivityTitle, VolunteerID: g.VolunteerID,
		VolunteerName: g.VolunteerName, StartsAt: g.StartsAt, EndsAt: g.EndsAt, Status: g.Status, CheckInAt: g.CheckInAt, CheckOutAt: g.CheckOutAt,
		Minutes: g.Minutes, HoursStatus: g.HoursStatus, Reason: g.Reason, Points: g.Points.Float(), TransferSeq: idOrNil(g.TransferSeq)}
}

// MovementJSON is a movement in the API.
type MovementJSON struct {
	Transfer int64     `json:"transfer"`
	Account  int64     `json:"account_id"`
	Amount   float64   `json:"amount"`
	Balance  *float64  `json:"balance_after,omitempty"` // absent for an account outside the caller's scope
	Kind     string    `json:"kind,omitempty"`
	Memo     string    `json:"memo,omitempty"`
	At       time.Time `json:"at"`
	Reverses *int64    `json:"reverses,omitempty"`
}

func movementJSON(m *Movement) MovementJSON {
	j := MovementJSON{Transfer: m.TransferSeq, Account: m.AccountID, Amount: m.Amount.Float(), Kind: m.Kind, Memo: m.Memo, At: m.At, Reverses: idOrNil(m.Reverses)}
	if !m.Hidden {
		b := m.BalanceAfter.Float()
		j.Balance = &b
	}
	return j
}

// TransferJSON is a transfer in the API.
type TransferJSON struct {
	Seq        int64          `json:"seq"`
	Kind       string         `json:"kind"`
	Reverses   *int64         `json:"reverses"`
	ReversedBy *int64         `json:"reversed_by"`
	Memo       string         `json:"memo"`
	Actor      string         `json:"actor"`
	At         time.Time      `json:"at"`
	Hash       string         `json:"hash"`
	Movements  []MovementJSON `json:"movements"`
}

func transferJSON(t *Transfer) TransferJSON {
	j := TransferJSON{Seq: t.Seq, Kind: t.Kind, Reverses: idOrNil(t.Reverses), ReversedBy: idOrNil(t.ReversedBy), Memo: t.Memo, Actor: t.Actor, At: t.At,
		Hash: t.Hash, Movements: []MovementJSON{}}
	for i := range t.Movements {
		m := t.Movements[i]
		m.TransferSeq = t.Seq
		mj := movementJSON(&m)
		mj.At = t.At
		j.Movements = append(j.Movements, mj)
	}
	return j
}

// MerchantJSON is a merchant in the API.
type MerchantJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	UnitID    int64      `json:"unit_id"`
	UnitName  string     `json:"unit_name"`
	Address   string     `json:"address"`
	Contact   string     `json:"contact"`
	AccountID int64      `json:"account_id"`
	Unsettled float64    `json:"unsettled_points"`
	Items     []ItemJSON `json:"items"`
}

// ItemJSON is a merchant's item in the API.
type ItemJSON struct {
	ID     int64   `json:"id"`
	Name   string  `json:"name"`
	Price  float64 `json:"price"`
	Active bool    `json:"active"`
}

func merchantJSON(m *Merchant) MerchantJSON {
	j := MerchantJSON{ID: m.ID, Name: m.Name, UnitID: m.UnitID, UnitName: m.UnitName, Address: m.Address, Contact: m.Contact, AccountID: m.AccountID,
		Unsettled: m.Balance.Float(), Items: []ItemJSON{}}
	for _, it := range m.Items {
		j.Items = append(j.Items, ItemJSON{ID: it.ID, Name: it.Name, Price: it.Price.Float(), Active: it.Active})
	}
	return j
}

// RedemptionJSON is a redemption in the API.
type RedemptionJSON struct {
	ID            int64     `json:"id"`
	MerchantID    int64     `json:"merchant_id"`
	VolunteerID   int64     `json:"volunteer_id"`
	VolunteerName string    `json:"volunteer_name"`
	ItemID        *int64    `json:"item_id"`
	ItemName      string    `json:"item_name"`
	Quantity      int       `json:"quantity"`
	Amount        float64   `json:"amount"`
	Transfer      int64     `json:"transfer"`
	Status        string    `json:"status"`
	Settled       bool      `json:"settled"`
	At            time.Time `json:"at"`
	Replayed      bool      `json:"replayed,omitempty"`
	Balance       *float64  `json:"balance_after,omitempty"`
}

func redemptionJSON(r *Redemption, withBalance bool) RedemptionJSON {
	j := RedemptionJSON{ID: r.ID, MerchantID: r.MerchantID, VolunteerID: r.VolunteerID, VolunteerName: r.VolunteerName, ItemName: r.ItemName,
		Quantity: r.Quantity, Amount: r.Amount.Float(), Transfer: r.TransferSeq, Status: r.Status, Settled: r.SettlementID != 0, At: r.CreatedAt, Replayed: r.Replayed,
		ItemID: idOrNil(r.ItemID)}
	if withBalance {
		b := r.Balance.Float()
		j.Balance = &b
	}
	return j
}

func redemptionsJSON(rs []Redemption) []RedemptionJSON {
	return shapeAll(rs, func(r *Redemption) RedemptionJSON { return redemptionJSON(r, false) })
}

// ---- Handlers

func (a *API) checkCertificate(r *http.Request) (any, error) {
	return a.Store.CheckCertificate(r.Context(), r.URL.Query().Get("number"))
}

// OverviewJSON is the module's figures in the API.
type OverviewJSON struct {
	TeamsByType      map[string]int `json:"teams_by_type"`
	Teams            int            `json:"teams"`
	Volunteers       int            `json:"volunteers"`
	VerifiedMinutes  int64          `json:"verified_minutes"`
	VerifiedHours    float64        `json:"verified_hours"`
	PointsIssued     float64        `json:"points_issued"`
	PointsRedeemed   float64        `json:"points_redeemed"`
	PoliceMembers    int            `json:"volunteer_police_members"`
	PoliceHours      float64        `json:"volunteer_police_hours"`
	Activities       int            `json:"activities"`
	Upcoming         int            `json:"upcoming_activities"`
	Merchants        int            `json:"merchants"`
	PendingVerifying int            `json:"hours_to_verify"`
}

// OverviewToJSON shapes an overview for the API.
func OverviewToJSON(o *Overview) OverviewJSON {
	return OverviewJSON{TeamsByType: o.TeamsByType, Teams: o.Teams, Volunteers: o.Volunteers, VerifiedMinutes: o.VerifiedMinutes,
		VerifiedHours: hours1(o.VerifiedMinutes), PointsIssued: o.PointsIssued.Float(), PointsRedeemed: o.PointsRedeemed.Float(),
		PoliceMembers: o.PoliceMembers, PoliceHours: hours1(o.PoliceMinutes), Activities: o.Activities, Upcoming: o.UpcomingActivities,
		Merchants: o.Merchants, PendingVerifying: o.PendingVerifications}
}

func (a *API) listTeams(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := TeamFilter{Type: q.Choice("type", TeamTypes.Values...), Field: q.Choice("field", Fields.Values...), UnderID: q.ID("under"), Query: q.String("q"),
		Sort: q.Choice("sort", "name", "members", "type", "unit"), Desc: q.String("order") == "desc"}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListTeams(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	return web.NewList(shapeAll(list, teamJSON), total, p), nil
}

// teamPatch is what a PATCH of a team may set. Its unit is not among
// them: a team stays where it was founded, and the strict decoder
// refuses unit_id as it refuses any field the body does not have.
type teamPatch struct {
	Type        *string `json:"type"`
	Field       *string `json:"field"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	FoundedOn   *string `json:"founded_on"`
}

// teamBody is a new team: its unit and the rest.
type teamBody struct {
	UnitID *int64 `json:"unit_id"`
	teamPatch
}

func (b teamBody) apply(in *TeamInput) {
	setIf(&in.UnitID, b.UnitID)
	b.teamPatch.apply(in)
}

func (b teamPatch) apply(in *TeamInput) {
	setIf(&in.Type, b.Type)
	setIf(&in.Field, b.Field)
	setIf(&in.Name, b.Name)
	setIf(&in.Description, b.Description)
	setIf(&in.FoundedOn, b.FoundedOn)
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (a *API) createTeam(r *http.Request, actor *auth.Actor) (any, error) {
	var body teamBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in TeamInput
	body.apply(&in)
	t, err := a.Store.CreateTeam(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: teamJSON(t)}, nil
}

func (a *API) patchTeam(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body teamPatch
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.Team(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := TeamInput{Type: cur.Type, Field: cur.Field, Name: cur.Name, Description: cur.Description, FoundedOn: string(cur.FoundedOn)}
	body.apply(&in)
	t, err := a.Store.UpdateTeam(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return teamJSON(t), nil
}

func (a *API) listMembers(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	q := web.NewQuery(r)
	p := q.Paging()
	withLeft := q.String("left") == "1"
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, total, err := a.Store.Members(r.Context(), actor, id, withLeft, p.PerPage, p.Offset())
	if err != nil {
		return nil, err
	}
	return web.NewList(shapeAll(list, memberJSON), total, p), nil
}

func (a *API) join(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		VolunteerID int64  `json:"volunteer_id"`
		JoinedOn    string `json:"joined_on"`
		Role        string `json:"role"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	m, err := a.Store.Join(r.Context(), actor, id, body.VolunteerID, body.JoinedOn, body.Role)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: memberJSON(m)}, nil
}

func (a *API) leave(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	vid, err := web.PathID(r, "vid")
	if err != nil {
		return nil, err
	}
	var body struct {
		LeftOn string `json:"left_on"`
	}
	if err := decodeOptional(r, &body); err != nil {
		return nil, err
	}
	return nil, a.Store.Leave(r.Context(), actor, id, vid, body.LeftOn)
}

func (a *API) listVolunteers(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := VolunteerFilter{UnderID: q.ID("under"), TeamID: q.ID("team"), Name: q.String("q"), Skill: q.Choice("skill", Skills.Values...),
		IDNumber: q.String("id_number"), Phone: q.String("phone"), Sort: q.Choice("sort", "name", "number", "registered", "points", "hours"),
		Desc: q.String("order") == "desc"}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListVolunteers(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	return web.NewList(shapeAll(list, volunteerJSON), total, p), nil
}

func (a *API) createVolunteer(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		UnitID       int64    `json:"unit_id"`
		ResidentID   int64    `json:"resident_id"`
		UserID       int64    `json:"user_id"`
		Name         string   `json:"name"`
		IDNumber     string   `json:"id_number"`
		Phone        string   `json:"phone"`
		Skills       []string `json:"skills"`
		RegisteredOn string   `json:"registered_on"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	v, err := a.Store.CreateVolunteer(r.Context(), actor, VolunteerInput{UnitID: body.UnitID, ResidentID: body.ResidentID, UserID: body.UserID,
		Name: body.Name, IDNumber: body.IDNumber, Phone: body.Phone, Skills: body.Skills, RegisteredOn: body.RegisteredOn})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: volunteerJSON(v)}, nil
}

func (a *API) patchVolunteer(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Skills *[]string `json:"skills"`
		Status *string   `json:"status"`
		Phone  *string   `json:"phone"`
		UserID *int64    `json:"user_id"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	v, err := a.Store.UpdateVolunteer(r.Context(), actor, id, VolunteerPatch{Skills: body.Skills, Status: body.Status, Phone: body.Phone, UserID: body.UserID})
	if err != nil {
		return nil, err
	}
	return volunteerJSON(v), nil
}

// RecordJSON is a volunteer's record in the API.
type RecordJSON struct {
	Volunteer    VolunteerJSON     `json:"volunteer"`
	Teams        []MemberJSON      `json:"teams"`
	Services     []ServiceJSON     `json:"services"`
	Trainings    []Entry           `json:"trainings"`
	Awards       []Entry           `json:"awards"`
	Evaluations  []Entry           `json:"evaluations"`
	Certificates []CertificateJSON `json:"certificates"`
	TotalMinutes int64             `json:"total_minutes"`
	TotalHours   float64           `json:"total_hours"`
}

// ServiceJSON is one service on a record.
type ServiceJSON struct {
	On        date.Date `json:"on"`
	Activity  string    `json:"activity"`
	Category  string    `json:"category"`
	Place     string    `json:"place"`
	Organiser string    `json:"organiser"`
	Minutes   int       `json:"minutes"`
	Points    float64   `json:"points"`
}

// CertificateJSON is a certificate in the API.
type CertificateJSON struct {
	ID       int64         `json:"id"`
	Number   string        `json:"number"`
	Name     string        `json:"name"`
	IDNumber string        `json:"id_number"`
	Issuer   string        `json:"issuer"`
	IssuedOn date.Date     `json:"issued_on"`
	From     date.Date     `json:"from"`
	To       date.Date     `json:"to"`
	Minutes  int64         `json:"minutes"`
	Hours    float64       `json:"hours"`
	Services []ServiceJSON `json:"services"`
}

func servicesJSON(ss []Service) []ServiceJSON {
	return shapeAll(ss, func(s *Service) ServiceJSON {
		return ServiceJSON{On: s.On, Activity: s.Activity, Category: s.Category, Place: s.Place, Organiser: s.Organiser, Minutes: s.Minutes, Points: s.Points.Float()}
	})
}

func certificateJSON(c *Certificate) CertificateJSON {
	return CertificateJSON{ID: c.ID, Number: c.Number, Name: c.VolunteerName, IDNumber: c.IDNumber, Issuer: c.Issuer, IssuedOn: c.IssuedOn, From: c.From, To: c.To,
		Minutes: c.Minutes, Hours: hours1(c.Minutes), Services: servicesJSON(c.Content)}
}

func recordJSON(rec *Record) RecordJSON {
	return RecordJSON{Volunteer: volunteerJSON(&rec.Volunteer), Teams: shapeAll(rec.Teams, memberJSON), Services: servicesJSON(rec.Services),
		Trainings: nonNil(rec.Trainings), Awards: nonNil(rec.Awards), Evaluations: nonNil(rec.Evaluations), Certificates: shapeAll(rec.Certificates, certificateJSON),
		TotalMinutes: rec.TotalMinutes, TotalHours: hours1(rec.TotalMinutes)}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) addEntry(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Kind    string `json:"kind"`
		On      string `json:"on"`
		Title   string `json:"title"`
		Issuer  string `json:"issuer"`
		Minutes int    `json:"minutes"`
		Grade   string `json:"grade"`
		Note    string `json:"note"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	e, err := a.Store.AddEntry(r.Context(), actor, id, EntryInput{Kind: body.Kind, On: body.On, Title: body.Title, Issuer: body.Issuer,
		Minutes: body.Minutes, Grade: body.Grade, Note: body.Note})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: e}, nil
}

func (a *API) issueCertificate(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := decodeOptional(r, &body); err != nil {
		return nil, err
	}
	c, err := a.Store.IssueCertificate(r.Context(), actor, id, body.From, body.To)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: certificateJSON(c)}, nil
}

func (a *API) listActivities(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := ActivityFilter{UnderID: q.ID("under"), TeamID: q.ID("team"), Category: q.Choice("category", Categories.Values...), Query: q.String("q"),
		When: q.Choice("when", "upcoming", "past")}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListActivities(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	manage := actor.Scope(PermManage)
	items := shapeAll(list, func(act *Activity) ActivityJSON { return activityJSON(act, manage.Contains(act.UnitPath)) })
	return web.NewList(items, total, p), nil
}

type shiftBody struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Capacity int       `json:"capacity"`
	Skills   []string  `json:"skills"`
}

func (a *API) createActivity(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		UnitID        int64       `json:"unit_id"`
		TeamID        int64       `json:"team_id"`
		Title         string      `json:"title"`
		Category      string      `json:"category"`
		Description   string      `json:"description"`
		Place         string      `json:"place"`
		Lon           *float64    `json:"lon"`
		Lat           *float64    `json:"lat"`
		NeedsApproval bool        `json:"needs_approval"`
		TeamOnly      bool        `json:"team_only"`
		Shifts        []shiftBody `json:"shifts"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	in := ActivityInput{UnitID: body.UnitID, TeamID: body.TeamID, Title: body.Title, Category: body.Category, Description: body.Description,
		Place: body.Place, Lon: body.Lon, Lat: body.Lat, NeedsApproval: body.NeedsApproval, TeamOnly: body.TeamOnly}
	for _, s := range body.Shifts {
		in.Shifts = append(in.Shifts, ShiftInput{StartsAt: s.StartsAt, EndsAt: s.EndsAt, Capacity: s.Capacity, Skills: s.Skills})
	}
	act, err := a.Store.CreateActivity(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: activityJSON(act, true)}, nil
}

func (a *API) getActivity(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	act, err := a.Store.Activity(r.Context(), actor, id)
	if err != nil {
		// A volunteer may read the activities they may join.
		if act2, err2 := a.Store.ActivityForVolunteer(r.Context(), actor, id); err2 == nil {
			return activityJSON(act2, false), nil
		}
		return nil, err
	}
	return activityJSON(act, actor.Scope(PermManage).Contains(act.UnitPath)), nil
}

func (a *API) cancelActivity(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	return nil, a.Store.CancelActivity(r.Context(), actor, id, body.Reason)
}

func (a *API) listSignups(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	gs, err := a.Store.Signups(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"items": shapeAll(gs, signupJSON)}, nil
}

func (a *API) signUp(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		VolunteerID int64 `json:"volunteer_id"`
	}
	if err := decodeOptional(r, &body); err != nil {
		return nil, err
	}
	g, err := a.Store.SignUp(r.Context(), actor, id, body.VolunteerID)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: signupJSON(g)}, nil
}

func (a *API) signupAction(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Reason     string     `json:"reason"`
		Minutes    *int       `json:"minutes"`
		CheckInAt  *time.Time `json:"check_in_at"`
		CheckOutAt *time.Time `json:"check_out_at"`
	}
	if err := decodeOptional(r, &body); err != nil {
		return nil, err
	}
	ctx := r.Context()
	var g *Signup
	var err error
	switch r.PathValue("action") {
	case "approve":
		g, err = a.Store.Decide(ctx, actor, id, true, "")
	case "reject":
		g, err = a.Store.Decide(ctx, actor, id, false, body.Reason)
	case "cancel":
		g, err = a.Store.Cancel(ctx, actor, id)
	case "mark":
		g, err = a.Store.Mark(ctx, actor, id, body.CheckInAt, body.CheckOutAt)
	case "verify":
		g, err = a.Store.VerifyHours(ctx, actor, id, body.Minutes)
	case "reject-hours":
		g, err = a.Store.RejectHours(ctx, actor, id, body.Reason)
	default:
		return nil, apperr.NotFoundf("操作")
	}
	if err != nil {
		return nil, err
	}
	return signupJSON(g), nil
}

func (a *API) scan(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		Code string `json:"code"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	res, err := a.Store.Scan(r.Context(), actor, body.Code)
	if err != nil {
		return nil, err
	}
	return map[string]any{"action": res.Action, "signup": signupJSON(res.Signup)}, nil
}

func (a *API) rankings(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	of := q.Choice("of", "volunteers", "teams")
	period := q.Int("period", Period(time.Now()), 1900, 220012)
	limit := q.Int("limit", 50, 1, 500)
	if err := q.Err(); err != nil {
		return nil, err
	}
	rows, err := a.Store.Ranking(r.Context(), actor, of, period, limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"period": period, "of": defaultStr(of, "volunteers"), "items": nonNil(rows)}, nil
}

func defaultStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (a *API) me(r *http.Request, actor *auth.Actor) (any, error) {
	v, err := a.Store.Me(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	gs, err := a.Store.MySignups(r.Context(), actor, 50)
	if err != nil {
		return nil, err
	}
	return map[string]any{"volunteer": volunteerJSON(v), "signups": shapeAll(gs, signupJSON)}, nil
}

func (a *API) upcoming(r *http.Request, actor *auth.Actor) (any, error) {
	list, err := a.Store.Upcoming(r.Context(), actor, 50)
	if err != nil {
		return nil, err
	}
	return map[string]any{"items": shapeAll(list, func(act *Activity) ActivityJSON { return activityJSON(act, false) })}, nil
}

func (a *API) pass(r *http.Request, actor *auth.Actor) (any, error) {
	p, err := a.Store.NewPass(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: map[string]any{"code": p.Code, "expires_at": p.ExpiresAt}}, nil
}

func (a *API) settings(r *http.Request, actor *auth.Actor) (any, error) {
	s, err := a.Store.Settings(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	return map[string]any{"district_id": s.DistrictID, "points_per_hour": s.Rate.Float(), "yuan_per_point": Points(s.FenPerPoint).Float()}, nil
}

func (a *API) putSettings(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		PointsPerHour json.Number `json:"points_per_hour"`
		YuanPerPoint  json.Number `json:"yuan_per_point"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	rate, err1 := ParsePoints(body.PointsPerHour.String())
	yuan, err2 := ParsePoints(body.YuanPerPoint.String())
	var f apperr.Fields
	if err1 != nil {
		f.Add("points_per_hour", "lb.rate_range")
	}
	if err2 != nil {
		f.Add("yuan_per_point", "lb.bad_money")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	s, err := a.Store.Settings(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	if err := a.Store.SetSettings(r.Context(), actor, s.DistrictID, rate, int64(yuan)); err != nil {
		return nil, err
	}
	return a.settings(r, actor)
}

func (a *API) account(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	q := web.NewQuery(r)
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	acct, ms, total, err := a.Store.Statement(r.Context(), actor, id, p.PerPage, p.Offset())
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": acct.ID, "kind": acct.Kind, "owner_id": acct.OwnerID, "owner_name": acct.OwnerName, "balance": acct.Balance.Float(),
		"movements": web.NewList(shapeAll(ms, movementJSON), total, p)}, nil
}

func (a *API) listTransfers(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	kind := q.Choice("kind", TransferKinds.Values...)
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, err := a.Store.Transfers(r.Context(), actor, kind, p.PerPage, p.Offset())
	if err != nil {
		return nil, err
	}
	return map[string]any{"items": shapeAll(list, transferJSON), "page": p.Page, "per_page": p.PerPage}, nil
}

func (a *API) reverse(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	t, err := a.Store.Reverse(r.Context(), actor, id, body.Reason)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: transferJSON(t)}, nil
}

// verifyLedger checks the whole ledger, for those who manage the bank.
func (a *API) verifyLedger(r *http.Request, actor *auth.Actor) (any, error) {
	if !actor.Has(PermBankAd) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	rep, err := a.Store.checkLedger(r.Context())
	out := map[string]any{"ok": err == nil}
	if rep != nil {
		out["transfers"], out["movements"], out["accounts"], out["circulating"] = rep.Transfers, rep.Movements, rep.Accounts, rep.Circulating.Float()
	}
	if err != nil {
		var p *LedgerProblem
		if !errors.As(err, &p) {
			return nil, err
		}
		out["problem"] = p.Error()
	}
	return out, nil
}

func (a *API) listMerchants(r *http.Request, actor *auth.Actor) (any, error) {
	list, err := a.Store.ListMerchants(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	return map[string]any{"items": shapeAll(list, merchantJSON)}, nil
}

func (a *API) createMerchant(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		UnitID  int64  `json:"unit_id"`
		Name    string `json:"name"`
		Address string `json:"address"`
		Contact string `json:"contact"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	m, err := a.Store.CreateMerchant(r.Context(), actor, MerchantInput{UnitID: body.UnitID, Name: body.Name, Address: body.Address, Contact: body.Contact})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: merchantJSON(m)}, nil
}

func (a *API) addItem(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Name  string      `json:"name"`
		Price json.Number `json:"price"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	it, err := a.Store.AddItem(r.Context(), actor, id, ItemInput{Name: body.Name, Price: body.Price.String()})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: ItemJSON{ID: it.ID, Name: it.Name, Price: it.Price.Float(), Active: it.Active}}, nil
}

func (a *API) addStaff(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Username string `json:"username"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	return nil, a.Store.AddStaff(r.Context(), actor, id, body.Username)
}

func (a *API) merchantRedemptions(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	q := web.NewQuery(r)
	p := q.Paging()
	from, err1 := date.Parse(q.String("from"))
	to, err2 := date.Parse(q.String("to"))
	if err := q.Err(); err != nil {
		return nil, err
	}
	if err1 != nil || err2 != nil {
		return nil, apperr.FieldInvalid("from", "field.bad_date")
	}
	list, total, err := a.Store.Redemptions(r.Context(), actor, RedemptionFilter{MerchantID: id, From: from, To: to, Limit: p.PerPage, Offset: p.Offset()})
	if err != nil {
		return nil, err
	}
	return web.NewList(redemptionsJSON(list), total, p), nil
}

func (a *API) settlementReport(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	to, err := date.Parse(r.URL.Query().Get("to"))
	if err != nil {
		return nil, apperr.FieldInvalid("to", "field.bad_date")
	}
	rep, err := a.Store.SettlementReport(r.Context(), actor, id, to)
	if err != nil {
		return nil, err
	}
	return map[string]any{"merchant": merchantJSON(&rep.Merchant), "from": rep.From, "to": rep.To, "redemptions": redemptionsJSON(rep.Redemptions),
		"points": rep.Amount.Float(), "yuan": Points(rep.Fen).Float(), "yuan_per_point": Points(rep.FenPerPoint).Float()}, nil
}

// SettlementJSON is a settlement in the API.
type SettlementJSON struct {
	ID          int64     `json:"id"`
	From        date.Date `json:"from"`
	To          date.Date `json:"to"`
	Redemptions int       `json:"redemptions"`
	Points      float64   `json:"points"`
	Yuan        float64   `json:"yuan"`
	Transfer    int64     `json:"transfer"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

func settlementJSON(s *Settlement) SettlementJSON {
	return SettlementJSON{ID: s.ID, From: s.From, To: s.To, Redemptions: s.Redemptions, Points: s.Amount.Float(), Yuan: Points(s.Fen).Float(),
		Transfer: s.TransferSeq, By: s.CreatedBy, At: s.CreatedAt}
}

func (a *API) listSettlements(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	list, err := a.Store.Settlements(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return map[string]any{"items": shapeAll(list, settlementJSON)}, nil
}

func (a *API) settle(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		To string `json:"to"`
	}
	if err := decodeOptional(r, &body); err != nil {
		return nil, err
	}
	to, err := date.Parse(body.To)
	if err != nil {
		return nil, apperr.FieldInvalid("to", "field.bad_date")
	}
	s, err := a.Store.Settle(r.Context(), actor, id, to)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: settlementJSON(s)}, nil
}

// redeem takes the idempotency key from the body or, as many payment APIs
// do, from the Idempotency-Key header. A replay answers 200 with the
// first redemption; a new one 201.
func (a *API) redeem(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		Code     string      `json:"code"`
		ItemID   int64       `json:"item_id"`
		Quantity int         `json:"quantity"`
		Amount   json.Number `json:"amount"`
		Key      string      `json:"idempotency_key"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	if body.Key == "" {
		body.Key = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	}
	res, err := a.Store.Redeem(r.Context(), actor, RedeemInput{Code: body.Code, ItemID: body.ItemID, Quantity: body.Quantity, Amount: body.Amount.String(), Key: body.Key})
	if err != nil {
		return nil, err
	}
	if res.Replayed {
		return redemptionJSON(res, true), nil
	}
	return web.Created{Value: redemptionJSON(res, true)}, nil
}

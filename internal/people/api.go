package people

import (
	"net/http"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/web"
)

// API serves /api/v1/residents, /households, /party-members,
// /service-posts, /grid-staff and /workers.
type API struct {
	Store *Store
}

// Register adds the people API's routes.
func (a *API) Register(rt *web.Routes) {
	rt.API("GET /api/v1/residents", web.Read(PermRead), a.listResidents)
	rt.API("POST /api/v1/residents", web.Write(PermWrite), a.createResident)
	rt.APIByID("GET /api/v1/residents/{id}", web.Read(PermRead).On("resident"), a.getResident)
	rt.APIByID("PATCH /api/v1/residents/{id}", web.Write(PermWrite).On("resident"), a.patchResident)
	rt.APIByID("POST /api/v1/residents/{id}/status", web.Write(PermWrite).On("resident"), a.residentStatus)
	rt.APIByID("POST /api/v1/residents/{id}/reveal", web.Write(PermUnmask).On("resident"), a.reveal)

	rt.API("GET /api/v1/households", web.Read(PermRead), a.listHouseholds)
	rt.API("POST /api/v1/households", web.Write(PermWrite), a.createHousehold)
	rt.APIByID("GET /api/v1/households/{id}", web.Read(PermRead).On("household"), a.getHousehold)
	rt.APIByID("POST /api/v1/households/{id}/move", web.Write(PermWrite).On("household"), a.moveHousehold)
	rt.APIByID("GET /api/v1/households/{id}/history", web.Read(PermRead).On("household"), a.householdHistory)

	rt.API("GET /api/v1/party-members", web.Read(PermRead), a.listMembers)
	rt.API("POST /api/v1/party-members", web.Write(PermWrite), a.createMember)
	rt.APIByID("GET /api/v1/party-members/{id}", web.Read(PermRead).On("party_member"), a.getMember)
	rt.APIByID("PATCH /api/v1/party-members/{id}", web.Write(PermWrite).On("party_member"), a.patchMember)
	rt.APIByID("POST /api/v1/party-members/{id}/register", web.Write(PermWrite).On("party_member"), a.registerMember)
	rt.APIByID("POST /api/v1/party-members/{id}/hours", web.Write(PermWrite).On("party_member"), a.recordHours)
	rt.APIByID("GET /api/v1/party-members/{id}/feedback", web.Read(PermRead).On("party_member"), a.feedback)

	rt.API("GET /api/v1/service-posts", web.Read(PermRead), a.listPosts)
	rt.API("POST /api/v1/service-posts", web.Write(PermWrite), a.createPost)
	rt.APIByID("POST /api/v1/service-posts/{id}/claims", web.Write(PermWrite).On("service_post"), a.claimPost)

	rt.API("GET /api/v1/grid-staff", web.Read(PermRead), a.listStaff)
	rt.API("POST /api/v1/grid-staff", web.Write(PermWrite), a.createStaff)
	rt.APIByID("PATCH /api/v1/grid-staff/{id}", web.Write(PermWrite).On("grid_staff"), a.patchStaff)
	rt.APIByID("DELETE /api/v1/grid-staff/{id}", web.Write(PermWrite).On("grid_staff"), a.deleteStaff)

	rt.API("GET /api/v1/workers", web.Read(PermRead), a.listWorkers)
	rt.API("POST /api/v1/workers", web.Write(PermWrite), a.createWorker)
	rt.APIByID("GET /api/v1/workers/{id}", web.Read(PermRead).On("worker"), a.getWorker)
	rt.APIByID("PATCH /api/v1/workers/{id}", web.Write(PermWrite).On("worker"), a.patchWorker)
}

// ResidentJSON is a resident in the API, masked.
type ResidentJSON struct {
	ID          int64     `json:"id"`
	HouseholdID int64     `json:"household_id"`
	Name        string    `json:"name"`
	Gender      string    `json:"gender"`
	BirthDate   date.Date `json:"birth_date"`
	IDType      string    `json:"id_type"`
	IDNumber    string    `json:"id_number"`
	Phone       string    `json:"phone"`
	Ethnicity   string    `json:"ethnicity"`
	Residence   string    `json:"residence"`
	Relation    string    `json:"relation"`
	Status      string    `json:"status"`
	StatusOn    date.Date `json:"status_on"`
	Tags        []string  `json:"tags"`
	Building    string    `json:"building"`
	Room        string    `json:"room"`
}

func residentJSON(r *Resident) ResidentJSON {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	return ResidentJSON{ID: r.ID, HouseholdID: r.HouseholdID, Name: r.Name, Gender: r.Gender, BirthDate: r.BirthDate, IDType: r.IDType,
		IDNumber: r.IDNumber, Phone: r.Phone, Ethnicity: r.Ethnicity, Residence: r.Residence, Relation: r.Relation, Status: r.Status,
		StatusOn: r.StatusOn, Tags: tags, Building: r.BuildingName, Room: r.Room}
}

func residentsJSON(rs []Resident) []ResidentJSON {
	out := make([]ResidentJSON, len(rs))
	for i := range rs {
		out[i] = residentJSON(&rs[i])
	}
	return out
}

func (a *API) listResidents(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := ResidentFilter{UnderID: q.ID("under"), HouseholdID: q.ID("household"), Name: q.String("name"), Tag: q.Choice("tag", Tags.Values...),
		IDNumber: q.String("id_number"), Phone: q.String("phone"), AnyStatus: q.String("status") == "all",
		Sort: q.Choice("sort", "name", "age", "building"), Desc: q.String("order") == "desc"}
	if grid := q.ID("grid"); grid != 0 {
		f.UnderID = grid
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListResidents(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	return web.NewList(residentsJSON(list), total, p), nil
}

// residentBody is a resident write; on PATCH absent fields keep their
// values, and the household is the one the resident was added to.
type residentBody struct {
	HouseholdID *int64    `json:"household_id" web:"create-only"`
	Name        *string   `json:"name"`
	Gender      *string   `json:"gender"`
	BirthDate   *string   `json:"birth_date"`
	IDType      *string   `json:"id_type"`
	IDNumber    *string   `json:"id_number"`
	Phone       *string   `json:"phone"`
	Ethnicity   *string   `json:"ethnicity"`
	Residence   *string   `json:"residence"`
	Relation    *string   `json:"relation"`
	Tags        *[]string `json:"tags"`
}

func (b residentBody) apply(in *ResidentInput) {
	set(&in.HouseholdID, b.HouseholdID)
	set(&in.Name, b.Name)
	set(&in.Gender, b.Gender)
	set(&in.BirthDate, b.BirthDate)
	set(&in.IDType, b.IDType)
	set(&in.IDNumber, b.IDNumber)
	set(&in.Phone, b.Phone)
	set(&in.Ethnicity, b.Ethnicity)
	set(&in.Residence, b.Residence)
	set(&in.Relation, b.Relation)
	set(&in.Tags, b.Tags)
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (a *API) createResident(r *http.Request, actor *auth.Actor) (any, error) {
	var body residentBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in ResidentInput
	body.apply(&in)
	res, err := a.Store.CreateResident(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: residentJSON(res)}, nil
}

func (a *API) getResident(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	res, err := a.Store.Resident(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return residentJSON(res), nil
}

func (a *API) patchResident(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body residentBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.Resident(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	// The identity number and phone on file stay unless new ones are given.
	in := ResidentInput{HouseholdID: cur.HouseholdID, Name: cur.Name, Gender: cur.Gender, BirthDate: string(cur.BirthDate), IDType: cur.IDType,
		Ethnicity: cur.Ethnicity, Residence: cur.Residence, Relation: cur.Relation, Tags: cur.Tags}
	body.apply(&in)
	res, err := a.Store.UpdateResident(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return residentJSON(res), nil
}

func (a *API) residentStatus(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Status string `json:"status"`
		On     string `json:"on"`
		Note   string `json:"note"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	res, err := a.Store.SetResidentStatus(r.Context(), actor, id, body.Status, body.On, body.Note)
	if err != nil {
		return nil, err
	}
	return residentJSON(res), nil
}

func (a *API) reveal(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	return a.Store.Reveal(r.Context(), actor, id, body.Reason)
}

// HouseholdJSON is a household in the API.
type HouseholdJSON struct {
	ID           int64          `json:"id"`
	BuildingID   int64          `json:"building_id"`
	BuildingName string         `json:"building"`
	BuildingCode string         `json:"building_code"`
	Room         string         `json:"room"`
	Status       string         `json:"status"`
	Members      []ResidentJSON `json:"members"`
}

func householdJSON(h *Household) HouseholdJSON {
	return HouseholdJSON{ID: h.ID, BuildingID: h.BuildingID, BuildingName: h.BuildingName, BuildingCode: h.BuildingCode, Room: h.Room,
		Status: h.Status, Members: residentsJSON(h.Members)}
}

func (a *API) listHouseholds(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	under := q.ID("under")
	if grid := q.ID("grid"); grid != 0 {
		under = grid
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, total, err := a.Store.ListHouseholds(r.Context(), actor, HouseholdFilter{UnderID: under, Limit: p.PerPage, Offset: p.Offset()})
	if err != nil {
		return nil, err
	}
	items := make([]HouseholdJSON, len(list))
	for i := range list {
		items[i] = householdJSON(&list[i])
	}
	return web.NewList(items, total, p), nil
}

func (a *API) createHousehold(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		BuildingID int64  `json:"building_id"`
		Room       string `json:"room"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	h, err := a.Store.CreateHousehold(r.Context(), actor, body.BuildingID, body.Room)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: householdJSON(h)}, nil
}

func (a *API) getHousehold(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	h, err := a.Store.Household(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return householdJSON(h), nil
}

func (a *API) moveHousehold(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		BuildingID int64  `json:"building_id"`
		Room       string `json:"room"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	h, err := a.Store.MoveHousehold(r.Context(), actor, id, body.BuildingID, body.Room)
	if err != nil {
		return nil, err
	}
	return householdJSON(h), nil
}

func (a *API) householdHistory(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	list, err := a.Store.History(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	type entry struct {
		At     string `json:"at"`
		Actor  string `json:"actor"`
		Kind   string `json:"kind"`
		Detail string `json:"detail"`
	}
	out := make([]entry, len(list))
	for i, h := range list {
		out[i] = entry{At: h.At.UTC().Format("2006-01-02T15:04:05Z07:00"), Actor: h.Actor, Kind: h.Kind, Detail: h.Detail}
	}
	return map[string]any{"items": out}, nil
}

// PartyMemberJSON is a party member in the API.
type PartyMemberJSON struct {
	ID                    int64     `json:"id"`
	ResidentID            int64     `json:"resident_id"`
	Name                  string    `json:"name"`
	PartyOrgID            int64     `json:"party_org_id"`
	PartyOrg              string    `json:"party_org"`
	JoinedOn              date.Date `json:"joined_on"`
	Status                string    `json:"status"`
	InService             bool      `json:"in_service"`
	Employer              string    `json:"employer"`
	RegisteredCommunityID *int64    `json:"registered_community_id"`
	RegisteredOn          date.Date `json:"registered_on"`
}

func memberJSON(m *PartyMember) PartyMemberJSON {
	j := PartyMemberJSON{ID: m.ID, ResidentID: m.ResidentID, Name: m.ResidentName, PartyOrgID: m.PartyOrgID, PartyOrg: m.PartyOrgName,
		JoinedOn: m.JoinedOn, Status: m.Status, InService: m.InService, Employer: m.Employer, RegisteredOn: m.RegisteredOn}
	if m.RegisteredCommunityID != 0 {
		id := m.RegisteredCommunityID
		j.RegisteredCommunityID = &id
	}
	return j
}

func (a *API) listMembers(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := MemberFilter{UnderID: q.ID("under"), PartyOrgID: q.ID("party_org"), InService: q.String("in_service") == "true",
		Registered: q.String("registered") == "true", Name: q.String("name")}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListPartyMembers(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	items := make([]PartyMemberJSON, len(list))
	for i := range list {
		items[i] = memberJSON(&list[i])
	}
	return web.NewList(items, total, p), nil
}

// memberBody is a party member write; on PATCH absent fields keep their
// values, and the member stays the resident they were recorded as.
type memberBody struct {
	ResidentID       *int64  `json:"resident_id" web:"create-only"`
	PartyOrgID       *int64  `json:"party_org_id"`
	JoinedOn         *string `json:"joined_on"`
	Status           *string `json:"status"`
	InService        *bool   `json:"in_service"`
	Employer         *string `json:"employer"`
	CoBuildingUnitID *int64  `json:"co_building_unit_id"`
}

func (b memberBody) apply(in *PartyMemberInput) {
	set(&in.ResidentID, b.ResidentID)
	set(&in.PartyOrgID, b.PartyOrgID)
	set(&in.JoinedOn, b.JoinedOn)
	set(&in.Status, b.Status)
	set(&in.InService, b.InService)
	set(&in.Employer, b.Employer)
	set(&in.CoBuildingUnitID, b.CoBuildingUnitID)
}

func (a *API) createMember(r *http.Request, actor *auth.Actor) (any, error) {
	var body memberBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in PartyMemberInput
	body.apply(&in)
	m, err := a.Store.CreatePartyMember(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: memberJSON(m)}, nil
}

func (a *API) getMember(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	m, err := a.Store.PartyMember(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return memberJSON(m), nil
}

func (a *API) patchMember(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body memberBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.PartyMember(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := PartyMemberInput{ResidentID: cur.ResidentID, PartyOrgID: cur.PartyOrgID, JoinedOn: string(cur.JoinedOn), Status: cur.Status,
		InService: cur.InService, Employer: cur.Employer, CoBuildingUnitID: cur.CoBuildingUnitID}
	body.apply(&in)
	m, err := a.Store.UpdatePartyMember(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return memberJSON(m), nil
}

func (a *API) registerMember(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		On string `json:"on"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	m, err := a.Store.Register(r.Context(), actor, id, body.On)
	if err != nil {
		return nil, err
	}
	return memberJSON(m), nil
}

func (a *API) recordHours(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		PostID   int64  `json:"post_id"`
		ServedOn string `json:"served_on"`
		Minutes  int    `json:"minutes"`
		Note     string `json:"note"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	if err := a.Store.RecordHours(r.Context(), actor, id, body.PostID, body.ServedOn, body.Minutes, body.Note); err != nil {
		return nil, err
	}
	return web.Created{Value: map[string]bool{"recorded": true}}, nil
}

func (a *API) feedback(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	q := web.NewQuery(r)
	year, quarter := q.Int("year", 0, 2000, 2200), q.Int("quarter", 0, 1, 4)
	if err := q.Err(); err != nil {
		return nil, err
	}
	if year == 0 || quarter == 0 {
		year, quarter = currentQuarter(a.Store.Now())
	}
	sheet, err := a.Store.Feedback(r.Context(), actor, id, year, quarter, a.Store.hours)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"member": memberJSON(&sheet.Member), "year": sheet.Year, "quarter": sheet.Quarter,
		"quarter_hours": sheet.QuarterHours(), "year_hours": sheet.YearHours(), "target_hours": sheet.TargetHours,
		"posts": len(sheet.Posts), "services": len(sheet.Lines),
	}, nil
}

// PostJSON is a needs-list post in the API.
type PostJSON struct {
	ID          int64  `json:"id"`
	CommunityID int64  `json:"community_id"`
	Community   string `json:"community"`
	Category    string `json:"category"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Slots       int    `json:"slots"`
	Claimed     int    `json:"claimed"`
	Status      string `json:"status"`
}

func postJSON(p *ServicePost) PostJSON {
	return PostJSON{ID: p.ID, CommunityID: p.CommunityID, Community: p.CommunityName, Category: p.Category, Title: p.Title,
		Description: p.Description, Slots: p.Slots, Claimed: p.Claimed, Status: p.Status}
}

func (a *API) listPosts(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	community := q.ID("community")
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, err := a.Store.ListPosts(r.Context(), actor, community)
	if err != nil {
		return nil, err
	}
	items := make([]PostJSON, len(list))
	for i := range list {
		items[i] = postJSON(&list[i])
	}
	return web.NewList(items, len(items), web.Paging{Page: 1, PerPage: max(len(items), 1)}), nil
}

func (a *API) createPost(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		CommunityID int64  `json:"community_id"`
		Category    string `json:"category"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Slots       int    `json:"slots"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	p, err := a.Store.CreatePost(r.Context(), actor, PostInput{CommunityID: body.CommunityID, Category: body.Category, Title: body.Title, Description: body.Description, Slots: body.Slots})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: postJSON(p)}, nil
}

func (a *API) claimPost(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		PartyMemberID int64 `json:"party_member_id"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	if err := a.Store.Claim(r.Context(), actor, id, body.PartyMemberID); err != nil {
		return nil, err
	}
	return web.Created{Value: map[string]bool{"claimed": true}}, nil
}

// GridStaffJSON is one of a grid's staff in the API.
type GridStaffJSON struct {
	ID        int64     `json:"id"`
	GridID    int64     `json:"grid_id"`
	Grid      string    `json:"grid"`
	Role      string    `json:"role"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	UserID    *int64    `json:"user_id"`
	Since     date.Date `json:"since"`
	Buildings []int64   `json:"buildings"`
}

func staffJSON(g *GridStaff) GridStaffJSON {
	j := GridStaffJSON{ID: g.ID, GridID: g.GridID, Grid: g.GridName, Role: g.Role, Kind: g.Kind, Name: g.Name, Phone: g.Phone, Since: g.Since, Buildings: g.Buildings}
	if j.Buildings == nil {
		j.Buildings = []int64{}
	}
	if g.UserID != 0 {
		id := g.UserID
		j.UserID = &id
	}
	return j
}

func (a *API) listStaff(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := StaffFilter{UnderID: q.ID("under"), Role: q.Choice("role", StaffRoles.Values...)}
	if grid := q.ID("grid"); grid != 0 {
		f.UnderID = grid
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListGridStaff(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	items := make([]GridStaffJSON, len(list))
	for i := range list {
		items[i] = staffJSON(&list[i])
	}
	return web.NewList(items, total, p), nil
}

type staffBody struct {
	GridID    *int64   `json:"grid_id"`
	Role      *string  `json:"role"`
	Kind      *string  `json:"kind"`
	Name      *string  `json:"name"`
	Phone     *string  `json:"phone"`
	UserID    *int64   `json:"user_id"`
	Since     *string  `json:"since"`
	Buildings *[]int64 `json:"buildings"`
}

func (b staffBody) apply(in *GridStaffInput) {
	set(&in.GridID, b.GridID)
	set(&in.Role, b.Role)
	set(&in.Kind, b.Kind)
	set(&in.Name, b.Name)
	set(&in.Phone, b.Phone)
	set(&in.UserID, b.UserID)
	set(&in.Since, b.Since)
	set(&in.Buildings, b.Buildings)
}

func (a *API) createStaff(r *http.Request, actor *auth.Actor) (any, error) {
	var body staffBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in GridStaffInput
	body.apply(&in)
	g, err := a.Store.SaveGridStaff(r.Context(), actor, 0, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: staffJSON(g)}, nil
}

func (a *API) patchStaff(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body staffBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.GridStaffMember(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := GridStaffInput{GridID: cur.GridID, Role: cur.Role, Kind: cur.Kind, Name: cur.Name, UserID: cur.UserID, WorkerID: cur.WorkerID, ResidentID: cur.ResidentID,
		Since: string(cur.Since), Buildings: cur.Buildings}
	body.apply(&in)
	g, err := a.Store.SaveGridStaff(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return staffJSON(g), nil
}

func (a *API) deleteStaff(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	return nil, a.Store.DeleteGridStaff(r.Context(), actor, id)
}

// WorkerJSON is a community worker in the API, masked.
type WorkerJSON struct {
	ID        int64     `json:"id"`
	UnitID    int64     `json:"unit_id"`
	Unit      string    `json:"unit"`
	Name      string    `json:"name"`
	Gender    string    `json:"gender"`
	BirthDate date.Date `json:"birth_date"`
	IDNumber  string    `json:"id_number"`
	Phone     string    `json:"phone"`
	Position  string    `json:"position"`
	Education string    `json:"education"`
	PayStep   int       `json:"pay_step"`
	HiredOn   date.Date `json:"hired_on"`
}

func workerJSON(w *Worker) WorkerJSON {
	return WorkerJSON{ID: w.ID, UnitID: w.UnitID, Unit: w.UnitName, Name: w.Name, Gender: w.Gender, BirthDate: w.BirthDate, IDNumber: w.IDNumber,
		Phone: w.Phone, Position: w.Position, Education: w.Education, PayStep: w.PayStep, HiredOn: w.HiredOn}
}

func (a *API) listWorkers(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	under, position := q.ID("under"), q.Choice("position", Positions.Values...)
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, err := a.Store.ListWorkers(r.Context(), actor, under, position)
	if err != nil {
		return nil, err
	}
	items := make([]WorkerJSON, len(list))
	for i := range list {
		items[i] = workerJSON(&list[i])
	}
	return web.NewList(items, len(items), web.Paging{Page: 1, PerPage: max(len(items), 1)}), nil
}

type workerBody struct {
	UnitID    *int64  `json:"unit_id"`
	Name      *string `json:"name"`
	Gender    *string `json:"gender"`
	BirthDate *string `json:"birth_date"`
	IDNumber  *string `json:"id_number"`
	Phone     *string `json:"phone"`
	Position  *string `json:"position"`
	Education *string `json:"education"`
	PayStep   *int    `json:"pay_step"`
	HiredOn   *string `json:"hired_on"`
}

func (b workerBody) apply(in *WorkerInput) {
	set(&in.UnitID, b.UnitID)
	set(&in.Name, b.Name)
	set(&in.Gender, b.Gender)
	set(&in.BirthDate, b.BirthDate)
	set(&in.IDNumber, b.IDNumber)
	set(&in.Phone, b.Phone)
	set(&in.Position, b.Position)
	set(&in.Education, b.Education)
	set(&in.PayStep, b.PayStep)
	set(&in.HiredOn, b.HiredOn)
}

func (a *API) createWorker(r *http.Request, actor *auth.Actor) (any, error) {
	var body workerBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	in := WorkerInput{PayStep: 1}
	body.apply(&in)
	w, err := a.Store.SaveWorker(r.Context(), actor, 0, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: workerJSON(w)}, nil
}

func (a *API) getWorker(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	w, err := a.Store.Worker(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return workerJSON(w), nil
}

func (a *API) patchWorker(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body workerBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.Worker(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := WorkerInput{UnitID: cur.UnitID, Name: cur.Name, Gender: cur.Gender, BirthDate: string(cur.BirthDate), Position: cur.Position,
		Education: cur.Education, PayStep: cur.PayStep, HiredOn: string(cur.HiredOn)}
	body.apply(&in)
	w, err := a.Store.SaveWorker(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return workerJSON(w), nil
}

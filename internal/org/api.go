package org

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/web"
)

// API serves /api/v1/units, /api/v1/party-orgs, /api/v1/co-building-units
// and /api/v1/part-time-members.
type API struct{ Store *Store }

// Register adds the org API's routes.
func (a *API) Register(rt *web.Routes) {
	rt.API("GET /api/v1/units", web.Read(PermRead), a.listUnits)
	rt.API("POST /api/v1/units", web.Write(PermWrite), a.createUnit)
	rt.APIByID("GET /api/v1/units/{id}", web.Read(PermRead).On("unit"), a.getUnit)
	rt.APIByID("PATCH /api/v1/units/{id}", web.Write(PermWrite).On("unit"), a.patchUnit)
	rt.APIByID("DELETE /api/v1/units/{id}", web.Write(PermWrite).On("unit"), a.deleteUnit)

	rt.API("GET /api/v1/party-orgs", web.Read(PermRead), a.listPartyOrgs)
	rt.API("POST /api/v1/party-orgs", web.Write(PermWrite), a.createPartyOrg)
	rt.APIByID("GET /api/v1/party-orgs/{id}", web.Read(PermRead).On("party_org"), a.getPartyOrg)
	rt.APIByID("PATCH /api/v1/party-orgs/{id}", web.Write(PermWrite).On("party_org"), a.patchPartyOrg)
	rt.APIByID("DELETE /api/v1/party-orgs/{id}", web.Write(PermWrite).On("party_org"), a.deletePartyOrg)

	rt.API("GET /api/v1/co-building-units", web.Read(PermRead), a.listCoBuilding)
	rt.API("POST /api/v1/co-building-units", web.Write(PermWrite), a.createCoBuilding)
	rt.APIByID("GET /api/v1/co-building-units/{id}", web.Read(PermRead).On("co_building"), a.getCoBuilding)
	rt.APIByID("PATCH /api/v1/co-building-units/{id}", web.Write(PermWrite).On("co_building"), a.patchCoBuilding)
	rt.APIByID("DELETE /api/v1/co-building-units/{id}", web.Write(PermWrite).On("co_building"), a.deleteCoBuilding)
	rt.APIByID("POST /api/v1/co-building-units/{id}/agreements", web.Write(PermWrite).On("co_building"), a.addAgreement)
	rt.APIByID("DELETE /api/v1/co-building-units/{id}/agreements/{aid}", web.Write(PermWrite).On("co_building", "agreement"), a.deleteAgreement)

	rt.API("GET /api/v1/part-time-members", web.Read(PermRead), a.listPartTime)
	rt.API("POST /api/v1/part-time-members", web.Write(PermWrite), a.createPartTime)
	rt.APIByID("GET /api/v1/part-time-members/{id}", web.Read(PermRead).On("part_time_member"), a.getPartTime)
	rt.APIByID("PATCH /api/v1/part-time-members/{id}", web.Write(PermWrite).On("part_time_member"), a.patchPartTime)
	rt.APIByID("DELETE /api/v1/part-time-members/{id}", web.Write(PermWrite).On("part_time_member"), a.deletePartTime)
}

// UnitJSON is a unit in the API.
type UnitJSON struct {
	ID        int64           `json:"id"`
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	Type      UnitType        `json:"type"`
	ParentID  *int64          `json:"parent_id"`
	Path      string          `json:"path"`
	Depth     int             `json:"depth"`
	Children  *int            `json:"children,omitempty"`
	Boundary  json.RawMessage `json:"boundary,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func unitJSON(u *Unit, withBoundary bool) UnitJSON {
	j := UnitJSON{ID: u.ID, Code: u.Code, Name: u.Name, Type: u.Type, Path: u.Path, Depth: u.Depth, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if u.ParentID != 0 {
		p := u.ParentID
		j.ParentID = &p
	}
	if withBoundary {
		j.Boundary = json.RawMessage("null")
		if u.Boundary != "" {
			j.Boundary = json.RawMessage(u.Boundary)
		}
	} else {
		c := u.Children
		j.Children = &c
	}
	return j
}

func (a *API) listUnits(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f := UnitFilter{
		Type:     UnitType(q.Choice("type", unitTypeNames()...)),
		ParentID: q.ID("parent"),
		UnderID:  q.ID("under"),
		Query:    q.String("q"),
		Sort:     q.Choice("sort", "code", "name", "type"),
		Desc:     q.String("order") == "desc",
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	if f.ParentID != 0 {
		// An out-of-scope parent answers 404, like any out-of-scope id.
		if _, err := a.Store.Unit(r.Context(), actor, f.ParentID); err != nil {
			return nil, err
		}
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	units, total, err := a.Store.ListUnits(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	items := make([]UnitJSON, len(units))
	for i := range units {
		items[i] = unitJSON(&units[i], false)
	}
	return web.NewList(items, total, p), nil
}

func unitTypeNames() []string {
	out := make([]string, len(UnitTypes))
	for i, t := range UnitTypes {
		out[i] = string(t)
	}
	return out
}

func (a *API) getUnit(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	u, err := a.Store.Unit(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return unitJSON(u, true), nil
}

// boundaryText turns a JSON boundary (absent, null or a GeoJSON object)
// into the text the store takes.
func boundaryText(raw json.RawMessage) string {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return ""
	}
	return string(raw)
}

func (a *API) createUnit(r *http.Request, actor *auth.Actor) (any, error) {
	var body struct {
		ParentID int64           `json:"parent_id"`
		Type     UnitType        `json:"type"`
		Code     string          `json:"code"`
		Name     string          `json:"name"`
		Boundary json.RawMessage `json:"boundary"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	u, err := a.Store.CreateUnit(r.Context(), actor, UnitInput{ParentID: body.ParentID, Type: body.Type, Code: body.Code, Name: body.Name, Boundary: boundaryText(body.Boundary)})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: unitJSON(u, true)}, nil
}

func (a *API) patchUnit(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		ParentID *int64          `json:"parent_id"`
		Code     *string         `json:"code"`
		Name     *string         `json:"name"`
		Boundary json.RawMessage `json:"boundary"`
	}
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	patch := UnitPatch{Code: body.Code, Name: body.Name}
	if body.Boundary != nil {
		text := boundaryText(body.Boundary)
		patch.Boundary = &text
	}
	u, err := a.Store.EditUnit(r.Context(), actor, id, body.ParentID, patch)
	if err != nil {
		return nil, err
	}
	return unitJSON(u, true), nil
}

func (a *API) deleteUnit(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	return nil, a.Store.DeleteUnit(r.Context(), actor, id)
}

// PartyOrgJSON is a party organisation in the API.
type PartyOrgJSON struct {
	ID            int64         `json:"id"`
	Name          string        `json:"name"`
	Type          PartyOrgType  `json:"type"`
	ChecklistType *PartyOrgType `json:"checklist_type"`
	UnitID        int64         `json:"unit_id"`
	UnitName      string        `json:"unit_name"`
	ParentID      *int64        `json:"parent_id"`
	Secretary     string        `json:"secretary"`
	FoundedOn     date.Date     `json:"founded_on"`
	MemberCount   int           `json:"member_count"`
}

func partyOrgJSON(p *PartyOrg) PartyOrgJSON {
	j := PartyOrgJSON{ID: p.ID, Name: p.Name, Type: p.Type, UnitID: p.UnitID, UnitName: p.UnitName, Secretary: p.Secretary, FoundedOn: p.FoundedOn, MemberCount: p.MemberCount}
	if c, ok := p.Type.Checklist(); ok {
		j.ChecklistType = &c
	}
	if p.ParentID != 0 {
		id := p.ParentID
		j.ParentID = &id
	}
	return j
}

func partyTypeNames() []string {
	out := make([]string, len(PartyOrgTypes))
	for i, t := range PartyOrgTypes {
		out[i] = string(t)
	}
	return out
}

func (a *API) listPartyOrgs(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	checklist := make([]string, len(ChecklistTypes))
	for i, t := range ChecklistTypes {
		checklist[i] = string(t)
	}
	f := PartyOrgFilter{
		Type:      PartyOrgType(q.Choice("type", partyTypeNames()...)),
		Checklist: PartyOrgType(q.Choice("checklist", checklist...)),
		UnitID:    q.ID("unit"),
		UnderID:   q.ID("under"),
		Query:     q.String("q"),
		Sort:      q.Choice("sort", "name", "type", "unit", "members", "founded"),
		Desc:      q.String("order") == "desc",
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	orgs, total, err := a.Store.ListPartyOrgs(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	items := make([]PartyOrgJSON, len(orgs))
	for i := range orgs {
		items[i] = partyOrgJSON(&orgs[i])
	}
	return web.NewList(items, total, p), nil
}

func (a *API) getPartyOrg(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	p, err := a.Store.PartyOrg(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return partyOrgJSON(p), nil
}

// partyOrgBody is the body of a party organisation write; on PATCH absent
// fields keep their values.
type partyOrgBody struct {
	UnitID      *int64        `json:"unit_id"`
	ParentID    *int64        `json:"parent_id"`
	Type        *PartyOrgType `json:"type"`
	Name        *string       `json:"name"`
	Secretary   *string       `json:"secretary"`
	FoundedOn   *string       `json:"founded_on"`
	MemberCount *int          `json:"member_count"`
}

func (b partyOrgBody) apply(in *PartyOrgInput) {
	setIf(&in.UnitID, b.UnitID)
	setIf(&in.ParentID, b.ParentID)
	setIf(&in.Type, b.Type)
	setIf(&in.Name, b.Name)
	setIf(&in.Secretary, b.Secretary)
	setIf(&in.FoundedOn, b.FoundedOn)
	setIf(&in.MemberCount, b.MemberCount)
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (a *API) createPartyOrg(r *http.Request, actor *auth.Actor) (any, error) {
	var body partyOrgBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in PartyOrgInput
	body.apply(&in)
	p, err := a.Store.CreatePartyOrg(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: partyOrgJSON(p)}, nil
}

func (a *API) patchPartyOrg(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body partyOrgBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.PartyOrg(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := PartyOrgInput{UnitID: cur.UnitID, ParentID: cur.ParentID, Type: cur.Type, Name: cur.Name, Secretary: cur.Secretary,
		FoundedOn: string(cur.FoundedOn), MemberCount: cur.MemberCount}
	body.apply(&in)
	p, err := a.Store.UpdatePartyOrg(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return partyOrgJSON(p), nil
}

func (a *API) deletePartyOrg(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	return nil, a.Store.DeletePartyOrg(r.Context(), actor, id)
}

// CoBuildingJSON is a co-building unit in the API.
type CoBuildingJSON struct {
	ID            int64           `json:"id"`
	Name          string          `json:"name"`
	Kind          CoBuildingKind  `json:"kind"`
	CommunityID   int64           `json:"community_id"`
	CommunityName string          `json:"community_name"`
	Address       string          `json:"address"`
	Contact       string          `json:"contact"`
	Agreements    []AgreementJSON `json:"agreements"`
}

// AgreementJSON is a co-building agreement in the API.
type AgreementJSON struct {
	ID            int64     `json:"id"`
	CommunityID   int64     `json:"community_id"`
	CommunityName string    `json:"community_name"`
	SignedOn      date.Date `json:"signed_on"`
	ExpiresOn     date.Date `json:"expires_on"`
	Content       string    `json:"content"`
}

func agreementJSON(ag *Agreement) AgreementJSON {
	return AgreementJSON{ID: ag.ID, CommunityID: ag.CommunityID, CommunityName: ag.CommunityName, SignedOn: ag.SignedOn, ExpiresOn: ag.ExpiresOn, Content: ag.Content}
}

func coBuildingJSON(c *CoBuildingUnit) CoBuildingJSON {
	j := CoBuildingJSON{ID: c.ID, Name: c.Name, Kind: c.Kind, CommunityID: c.CommunityID, CommunityName: c.CommunityName,
		Address: c.Address, Contact: c.Contact, Agreements: []AgreementJSON{}}
	for i := range c.Agreements {
		j.Agreements = append(j.Agreements, agreementJSON(&c.Agreements[i]))
	}
	return j
}

func (a *API) listCoBuilding(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	kinds := make([]string, len(CoBuildingKinds))
	for i, k := range CoBuildingKinds {
		kinds[i] = string(k)
	}
	f := CoBuildingFilter{Kind: CoBuildingKind(q.Choice("kind", kinds...)), UnderID: q.ID("under"), Query: q.String("q"),
		Sort: q.Choice("sort", "name", "kind", "community"), Desc: q.String("order") == "desc"}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.ListCoBuildingUnits(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	items := make([]CoBuildingJSON, len(list))
	for i := range list {
		items[i] = coBuildingJSON(&list[i])
	}
	return web.NewList(items, total, p), nil
}

func (a *API) getCoBuilding(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	c, err := a.Store.CoBuildingUnit(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return coBuildingJSON(c), nil
}

type coBuildingBody struct {
	CommunityID *int64          `json:"community_id"`
	Name        *string         `json:"name"`
	Kind        *CoBuildingKind `json:"kind"`
	Address     *string         `json:"address"`
	Contact     *string         `json:"contact"`
}

func (b coBuildingBody) apply(in *CoBuildingInput) {
	setIf(&in.CommunityID, b.CommunityID)
	setIf(&in.Name, b.Name)
	setIf(&in.Kind, b.Kind)
	setIf(&in.Address, b.Address)
	setIf(&in.Contact, b.Contact)
}

func (a *API) createCoBuilding(r *http.Request, actor *auth.Actor) (any, error) {
	var body coBuildingBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in CoBuildingInput
	body.apply(&in)
	c, err := a.Store.CreateCoBuildingUnit(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: coBuildingJSON(c)}, nil
}

func (a *API) patchCoBuilding(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body coBuildingBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.CoBuildingUnit(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := CoBuildingInput{CommunityID: cur.CommunityID, Name: cur.Name, Kind: cur.Kind, Address: cur.Address, Contact: cur.Contact}
	body.apply(&in)
	c, err := a.Store.UpdateCoBuildingUnit(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return coBuildingJSON(c), nil
}

func (a *API) deleteCoBuilding(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	return nil, a.Store.DeleteCoBuildingUnit(r.Context(), actor, id)
}

func (a *API) addAgreement(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		CommunityID int64  `json:"community_id"`
		SignedOn    string `json:"signed_on"`
		ExpiresOn   string `json:"expires_on"`
		Content     string `json:"content"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	ag, err := a.Store.AddAgreement(r.Context(), actor, id, AgreementInput{CommunityID: body.CommunityID, SignedOn: body.SignedOn, ExpiresOn: body.ExpiresOn, Content: body.Content})
	if err != nil {
		return nil, err
	}
	return web.Created{Value: agreementJSON(ag)}, nil
}

func (a *API) deleteAgreement(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	aid, err := web.PathID(r, "aid")
	if err != nil {
		return nil, err
	}
	return nil, a.Store.DeleteAgreement(r.Context(), actor, id, aid)
}

// PartTimeJSON is a part-time committee member in the API.
type PartTimeJSON struct {
	ID               int64     `json:"id"`
	Name             string    `json:"name"`
	StreetID         int64     `json:"street_id"`
	StreetName       string    `json:"street_name"`
	CoBuildingUnitID *int64    `json:"co_building_unit_id"`
	Employer         string    `json:"employer"`
	Position         string    `json:"position"`
	TermStart        date.Date `json:"term_start"`
	TermEnd          date.Date `json:"term_end"`
}

func partTimeJSON(m *PartTimeMember) PartTimeJSON {
	j := PartTimeJSON{ID: m.ID, Name: m.Name, StreetID: m.StreetID, StreetName: m.StreetName, Employer: m.Employer, Position: m.Position, TermStart: m.TermStart, TermEnd: m.TermEnd}
	if m.CoBuildingUnitID != 0 {
		id := m.CoBuildingUnitID
		j.CoBuildingUnitID = &id
	}
	return j
}

type partTimeBody struct {
	StreetID         *int64  `json:"street_id"`
	CoBuildingUnitID *int64  `json:"co_building_unit_id"`
	Name             *string `json:"name"`
	Employer         *string `json:"employer"`
	Position         *string `json:"position"`
	TermStart        *string `json:"term_start"`
	TermEnd          *string `json:"term_end"`
}

func (b partTimeBody) apply(in *PartTimeInput) {
	setIf(&in.StreetID, b.StreetID)
	setIf(&in.CoBuildingUnitID, b.CoBuildingUnitID)
	setIf(&in.Name, b.Name)
	setIf(&in.Employer, b.Employer)
	setIf(&in.Position, b.Position)
	setIf(&in.TermStart, b.TermStart)
	setIf(&in.TermEnd, b.TermEnd)
}

func (a *API) listPartTime(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	street := q.ID("street")
	if err := q.Err(); err != nil {
		return nil, err
	}
	list, err := a.Store.ListPartTimeMembers(r.Context(), actor, street)
	if err != nil {
		return nil, err
	}
	items := make([]PartTimeJSON, len(list))
	for i := range list {
		items[i] = partTimeJSON(&list[i])
	}
	return web.NewList(items, len(items), web.Paging{Page: 1, PerPage: max(len(items), 1)}), nil
}

func (a *API) getPartTime(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	m, err := a.Store.PartTimeMember(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	return partTimeJSON(m), nil
}

func (a *API) createPartTime(r *http.Request, actor *auth.Actor) (any, error) {
	var body partTimeBody
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	var in PartTimeInput
	body.apply(&in)
	m, err := a.Store.CreatePartTimeMember(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return web.Created{Value: partTimeJSON(m)}, nil
}

func (a *API) patchPartTime(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body partTimeBody
	if err := web.DecodeJSONChange(r, &body); err != nil {
		return nil, err
	}
	cur, err := a.Store.PartTimeMember(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	in := PartTimeInput{StreetID: cur.StreetID, CoBuildingUnitID: cur.CoBuildingUnitID, Name: cur.Name, Employer: cur.Employer,
		Position: cur.Position, TermStart: string(cur.TermStart), TermEnd: string(cur.TermEnd)}
	body.apply(&in)
	m, err := a.Store.UpdatePartTimeMember(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	return partTimeJSON(m), nil
}

func (a *API) deletePartTime(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	return nil, a.Store.DeletePartTimeMember(r.Context(), actor, id)
}

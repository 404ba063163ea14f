package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
)

const memberWord = "党员"

const memberCols = `m.id, m.resident_id, r.name, m.unit_path, m.party_org_id, po.name, m.joined_on, m.status, m.in_service, m.employer,
	COALESCE(m.co_building_unit_id, 0), COALESCE(sr.community_id, 0), COALESCE(cu.name, ''), sr.registered_on`

const memberFrom = ` FROM party_members m JOIN residents r ON r.id = m.resident_id JOIN party_orgs po ON po.id = m.party_org_id
	LEFT JOIN service_registrations sr ON sr.party_member_id = m.id AND sr.ended_on IS NULL
	LEFT JOIN units cu ON cu.id = sr.community_id`

func scanMember(sc interface{ Scan(...any) error }) (*PartyMember, error) {
	m := &PartyMember{}
	return m, sc.Scan(&m.ID, &m.ResidentID, &m.ResidentName, &m.UnitPath, &m.PartyOrgID, &m.PartyOrgName, &m.JoinedOn, &m.Status, &m.InService,
		&m.Employer, &m.CoBuildingUnitID, &m.RegisteredCommunityID, &m.RegisteredCommunityName, &m.RegisteredOn)
}

func (s *Store) memberIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*PartyMember, error) {
	where, args := scope.Where("m.unit_path")
	m, err := scanMember(q.QueryRow(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(memberWord)
	}
	return m, apperr.Wrap(err)
}

// PartyMember returns a party member the actor may see.
func (s *Store) PartyMember(ctx context.Context, actor *auth.Actor, id int64) (*PartyMember, error) {
	return s.memberIn(ctx, s.db, actor.Scope(PermRead), id)
}

// MemberOfResident returns the party membership of a resident, or nil.
func (s *Store) MemberOfResident(ctx context.Context, actor *auth.Actor, residentID int64) (*PartyMember, error) {
	where, args := actor.Scope(PermRead).Where("m.unit_path")
	m, err := scanMember(s.db.QueryRow(ctx, `SELECT `+memberCols+memberFrom+` WHERE m.resident_id = ? AND `+where, append([]any{residentID}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return m, nil
}

// MemberFilter selects party members.
type MemberFilter struct {
	UnderID    int64
	PartyOrgID int64
	InService  bool // only in-service members
	Registered bool // only those reported to a community
	Name       string
	Limit      int
	Offset     int
}

// ListPartyMembers returns a page of party members (living, by residence
// in the actor's scope) and the total.
func (s *Store) ListPartyMembers(ctx context.Context, actor *auth.Actor, f MemberFilter) ([]PartyMember, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("m.unit_path")
	where += " AND r.status = 'living'"
	if f.UnderID != 0 {
		u, err := s.Orgs.UnitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := db.PrefixRange(u.Path)
		where += " AND m.unit_path >= ? AND m.unit_path < ?"
		args = append(args, lo, hi)
	}
	if f.PartyOrgID != 0 {
		where += " AND m.party_org_id = ?"
		args = append(args, f.PartyOrgID)
	}
	if f.InService {
		where += " AND m.in_service"
	}
	if f.Registered {
		where += " AND sr.id IS NOT NULL"
	}
	if q := strings.TrimSpace(f.Name); q != "" {
		where += ` AND r.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+db.LikeEscape(q)+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+memberFrom+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+memberCols+memberFrom+` WHERE `+where+` ORDER BY m.unit_path, r.name, m.id LIMIT `+
		strconv.Itoa(clampLimit(f.Limit))+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []PartyMember
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, *m)
	}
	return out, total, apperr.Wrap(rows.Err())
}

// checkMember checks a party member input against the actor's scope and
// returns the resident's unit path.
func (s *Store) checkMember(ctx context.Context, tx *db.Tx, actor *auth.Actor, in *PartyMemberInput) (string, date.Date, error) {
	joined, verr := in.validate()
	var f apperr.Fields
	if verr != nil {
		for k, m := range apperr.As(verr).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	var path string
	if in.ResidentID != 0 {
		r, err := s.residentIn(ctx, tx, actor.Scope(PermWrite), in.ResidentID)
		if apperr.IsFault(err) {
			return "", "", err
		}
		if err != nil {
			f.Add("resident_id", "people.resident_not_found")
		} else {
			path = r.UnitPath
		}
	}
	if in.PartyOrgID != 0 {
		if _, err := s.Orgs.PartyOrg(ctx, actor, in.PartyOrgID); apperr.IsFault(err) {
			return "", "", err
		} else if err != nil {
			f.Add("party_org_id", "people.party_org_not_found")
		}
	}
	if in.CoBuildingUnitID != 0 {
		cb, err := s.Orgs.CoBuildingUnit(ctx, actor, in.CoBuildingUnitID)
		if apperr.IsFault(err) {
			return "", "", err
		}
		if err != nil {
			f.Add("co_building_unit_id", "org.co_building_not_found")
		} else if in.Employer == "" {
			in.Employer = cb.Name
		}
	}
	return path, joined, f.Err()
}

// CreatePartyMember records that a resident is a party member.
func (s *Store) CreatePartyMember(ctx context.Context, actor *auth.Actor, in PartyMemberInput) (*PartyMember, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *PartyMember
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		path, joined, err := s.checkMember(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		id, err := s.insertMember(ctx, tx, path, in, joined)
		if err != nil {
			return err
		}
		if out, err = s.memberIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("party_member.create", "party_member", fmt.Sprint(id),
			map[string]any{"resident_id": in.ResidentID, "party_org_id": in.PartyOrgID, "in_service": in.InService}))
	})
	return out, err
}

func (s *Store) insertMember(ctx context.Context, tx *db.Tx, path string, in PartyMemberInput, joined date.Date) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO party_members (resident_id, unit_path, party_org_id, joined_on, status, in_service, employer, co_building_unit_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.ResidentID, path, in.PartyOrgID, joined, in.Status, in.InService, in.Employer, nullID(in.CoBuildingUnitID), now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.FieldInvalid("resident_id", "people.already_member")
	}
	return id, apperr.Wrap(err)
}

// UpdatePartyMember replaces a party member's fields.
func (s *Store) UpdatePartyMember(ctx context.Context, actor *auth.Actor, id int64, in PartyMemberInput) (*PartyMember, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *PartyMember
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.memberIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		in.ResidentID = before.ResidentID
		_, joined, err := s.checkMember(ctx, tx, actor, &in)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE party_members SET party_org_id = ?, joined_on = ?, status = ?, in_service = ?, employer = ?, co_building_unit_id = ?, updated_at = ?
			WHERE id = ?`, in.PartyOrgID, joined, in.Status, in.InService, in.Employer, nullID(in.CoBuildingUnitID), s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.memberIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("party_member.update", "party_member", fmt.Sprint(id), map[string]any{
			"party_org_id": [2]int64{before.PartyOrgID, out.PartyOrgID}, "status": [2]string{before.Status, out.Status},
			"in_service": [2]bool{before.InService, out.InService}}))
	})
	return out, err
}

// communityAbove is communityOf outside any transaction.
func (s *Store) communityAbove(ctx context.Context, path string) (*org.Unit, error) {
	return s.communityOf(ctx, s.db, path)
}

// communityOf returns the community above a unit path, within scope.
func (s *Store) communityOf(ctx context.Context, q db.Querier, path string) (*org.Unit, error) {
	ids := org.PathIDs(path)
	units, err := s.Orgs.UnitsByID(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if units[id].Type == string(org.Community) {
			return s.Orgs.UnitIn(ctx, q, auth.Scope{All: true}, id)
		}
	}
	return nil, apperr.New(apperr.Invalid, "people.no_community")
}

// Register records that an in-service party member reported to the
// community where they live (在职党员到社区报到).
func (s *Store) Register(ctx context.Context, actor *auth.Actor, memberID int64, on string) (*PartyMember, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	day, err := date.Parse(on)
	if err != nil {
		return nil, apperr.FieldInvalid("registered_on", "field.bad_date")
	}
	if day == "" {
		day = date.Today(s.Now())
	}
	var out *PartyMember
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := s.memberIn(ctx, tx, actor.Scope(PermWrite), memberID)
		if err != nil {
			return err
		}
		if !m.InService {
			return apperr.New(apperr.Conflict, "people.not_in_service")
		}
		if m.RegisteredCommunityID != 0 {
			return apperr.New(apperr.Conflict, "people.already_registered", m.RegisteredCommunityName)
		}
		c, err := s.communityOf(ctx, tx, m.UnitPath)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_registrations (party_member_id, community_id, unit_path, registered_on, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.ID, c.ID, c.Path, day, s.now()); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.memberIn(ctx, tx, auth.Scope{All: true}, memberID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("party_member.register", "party_member", fmt.Sprint(memberID), map[string]any{"community_id": c.ID, "on": day}))
	})
	return out, err
}

// ServicePost is a post on a community's needs list.
type ServicePost struct {
	ID            int64
	CommunityID   int64
	CommunityName string
	UnitPath      string
	Category      string
	Title         string
	Description   string
	Slots         int
	Claimed       int
	Status        string
	CreatedAt     time.Time
}

// PostInput is a new post.
type PostInput struct {
	CommunityID int64
	Category    string
	Title       string
	Description string
	Slots       int
}

func (in *PostInput) validate() error {
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	var f apperr.Fields
	if !PostKinds.Has(in.Category) {
		f.Add("category", "field.bad_choice")
	}
	switch {
	case in.Title == "":
		f.Add("title", "field.required")
	case utf8.RuneCountInString(in.Title) > 60:
		f.Add("title", "field.too_long", 60)
	}
	if utf8.RuneCountInString(in.Description) > 1000 {
		f.Add("description", "field.too_long", 1000)
	}
	if in.Slots < 1 || in.Slots > 1000 {
		f.Add("slots", "web.out_of_range", 1, 1000)
	}
	return f.Err()
}

// CreatePost adds a post to a community's needs list.
func (s *Store) CreatePost(ctx context.Context, actor *auth.Actor, in PostInput) (*ServicePost, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *ServicePost
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.writableUnit(ctx, tx, actor, "community_id", in.CommunityID, org.Community)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO service_posts (community_id, unit_path, category, title, description, slots, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id`, c.ID, c.Path, in.Category, in.Title, in.Description, in.Slots, s.now()).Scan(&id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.postIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("service_post.create", "service_post", fmt.Sprint(id), map[string]any{"community_id": c.ID, "title": in.Title}))
	})
	return out, err
}

const postCols = `p.id, p.community_id, u.name, p.unit_path, p.category, p.title, p.description, p.slots,
	(SELECT COUNT(*) FROM service_claims c WHERE c.post_id = p.id), p.status, p.created_at`

func scanPost(sc interface{ Scan(...any) error }) (*ServicePost, error) {
	p := &ServicePost{}
	return p, sc.Scan(&p.ID, &p.CommunityID, &p.CommunityName, &p.UnitPath, &p.Category, &p.Title, &p.Description, &p.Slots, &p.Claimed, &p.Status, &p.CreatedAt)
}

func (s *Store) postIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*ServicePost, error) {
	where, args := scope.Where("p.unit_path")
	p, err := scanPost(q.QueryRow(ctx, `SELECT `+postCols+` FROM service_posts p JOIN units u ON u.id = p.community_id WHERE p.id = ? AND `+where,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("岗位")
	}
	return p, apperr.Wrap(err)
}

// ListPosts returns the needs lists of the communities the actor may see
// (of one community, if communityID is set), open posts first.
func (s *Store) ListPosts(ctx context.Context, actor *auth.Actor, communityID int64) ([]ServicePost, error) {
	where, args := actor.Scope(PermRead).Where("p.unit_path")
	if communityID != 0 {
		where += " AND p.community_id = ?"
		args = append(args, communityID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+postCols+` FROM service_posts p JOIN units u ON u.id = p.community_id WHERE `+where+
		` ORDER BY p.status DESC, p.unit_path, p.created_at DESC LIMIT 1000`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []ServicePost
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *p)
	}
	return out, apperr.Wrap(rows.Err())
}

// Claim lets a member registered at a post's community take it, while it
// has a free place.
func (s *Store) Claim(ctx context.Context, actor *auth.Actor, postID, memberID int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.postIn(ctx, tx, actor.Scope(PermWrite), postID)
		if err != nil {
			return err
		}
		m, err := s.memberIn(ctx, tx, actor.Scope(PermWrite), memberID)
		if err != nil {
			return err
		}
		switch {
		case m.RegisteredCommunityID != p.CommunityID:
			return apperr.New(apperr.Conflict, "people.claim_other_community")
		case p.Status != "open":
			return apperr.New(apperr.Conflict, "people.post_closed")
		case p.Claimed >= p.Slots:
			return apperr.New(apperr.Conflict, "people.post_full")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_claims (post_id, party_member_id, claimed_at) VALUES (?, ?, ?)`, postID, memberID, s.now()); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "people.already_claimed")
			}
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("service_post.claim", "service_post", fmt.Sprint(postID), map[string]any{"party_member_id": memberID}))
	})
}

// RecordHours records hours an in-service member served at their community.
func (s *Store) RecordHours(ctx context.Context, actor *auth.Actor, memberID, postID int64, on string, minutes int, note string) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	day, err := date.Parse(on)
	var f apperr.Fields
	if err != nil || day == "" {
		f.Add("served_on", "field.bad_date")
	}
	if minutes <= 0 || minutes > 24*60 {
		f.Add("minutes", "web.out_of_range", 1, 24*60)
	}
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "field.too_long", 500)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		// A member out of the actor's scope is not found, whatever the
		// request holds; only then is the request's input judged.
		m, err := s.memberIn(ctx, tx, actor.Scope(PermWrite), memberID)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if m.RegisteredCommunityID == 0 {
			return apperr.New(apperr.Conflict, "people.not_registered")
		}
		// A post, if named, is one of the needs list of the community the
		// member reported to.
		if postID != 0 {
			p, err := s.postIn(ctx, tx, auth.Scope{All: true}, postID)
			if err != nil || p.CommunityID != m.RegisteredCommunityID {
				return apperr.Reword(err, apperr.FieldInvalid("post_id", "people.post_elsewhere"))
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_hours (party_member_id, post_id, served_on, minutes, note, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			memberID, nullID(postID), day, minutes, note, actor.Username, s.now()); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("service_hours.record", "party_member", fmt.Sprint(memberID), map[string]any{"minutes": minutes, "on": day}))
	})
}

// ServiceTarget returns the yearly service target in hours for members
// living under path: the district's setting, or the default.
func (s *Store) ServiceTarget(ctx context.Context, q db.Querier, path string) (int, error) {
	ids := org.PathIDs(path)
	if len(ids) == 0 {
		return DefaultServiceTarget, nil
	}
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM people_settings WHERE unit_id = ? AND name = ?`, ids[0], ServiceTargetSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultServiceTarget, nil
	}
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return DefaultServiceTarget, nil
	}
	return n, nil
}

// SetServiceTarget sets a district's yearly service target in hours.
func (s *Store) SetServiceTarget(ctx context.Context, actor *auth.Actor, districtID int64, hours int) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	if hours < 1 || hours > 1000 {
		return apperr.FieldInvalid("hours", "web.out_of_range", 1, 1000)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.writableUnit(ctx, tx, actor, "district_id", districtID, org.District); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO people_settings (unit_id, name, value) VALUES (?, ?, ?)
			ON CONFLICT (unit_id, name) DO UPDATE SET value = excluded.value`, districtID, ServiceTargetSetting, strconv.Itoa(hours)); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("setting.update", "unit", fmt.Sprint(districtID), map[string]any{ServiceTargetSetting: hours}))
	})
}

// HoursSource adds service minutes from elsewhere (the volunteer module's
// verified hours) for a member's resident between two days; app plugs it in.
type HoursSource func(ctx context.Context, residentID int64, from, to date.Date) (int, []ServiceLine, error)

// ServiceLine is one service on a feedback sheet.
type ServiceLine struct {
	On      date.Date
	What    string
	Minutes int
	Source  string // "community" or "volunteer"
}

// FeedbackSheet is what a community sends a member's employer each
// quarter: the posts claimed, the hours served, and progress toward the
// yearly target.
type FeedbackSheet struct {
	Member        PartyMember
	Year, Quarter int
	Posts         []ServicePost
	Lines         []ServiceLine
	QuarterMin    int
	YearMin       int
	TargetHours   int
}

// QuarterHours is the quarter's service in hours.
func (f *FeedbackSheet) QuarterHours() float64 { return float64(f.QuarterMin) / 60 }

// YearHours is the year's service so far in hours.
func (f *FeedbackSheet) YearHours() float64 { return float64(f.YearMin) / 60 }

// Progress is the year's share of the target, 0..1 and beyond.
func (f *FeedbackSheet) Progress() float64 {
	if f.TargetHours == 0 {
		return 0
	}
	return f.YearHours() / float64(f.TargetHours)
}

func quarterBounds(year, quarter int) (date.Date, date.Date) {
	start := time.Date(year, time.Month(3*(quarter-1)+1), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 3, -1)
	return date.Of(start), date.Of(end)
}

// Feedback builds a member's feedback sheet for a quarter; extra adds the
// hours recorded elsewhere (it may be nil).
func (s *Store) Feedback(ctx context.Context, actor *auth.Actor, memberID int64, year, quarter int, extra HoursSource) (*FeedbackSheet, error) {
	if quarter < 1 || quarter > 4 || year < 2000 || year > 2200 {
		return nil, apperr.FieldInvalid("quarter", "people.bad_quarter")
	}
	m, err := s.PartyMember(ctx, actor, memberID)
	if err != nil {
		return nil, err
	}
	sheet := &FeedbackSheet{Member: *m, Year: year, Quarter: quarter}
	if sheet.TargetHours, err = s.ServiceTarget(ctx, s.db, m.UnitPath); err != nil {
		return nil, err
	}
	qFrom, qTo := quarterBounds(year, quarter)
	yFrom, _ := quarterBounds(year, 1)
	rows, err := s.db.Query(ctx, `SELECT h.served_on, COALESCE(p.title, h.note), h.minutes FROM service_hours h LEFT JOIN service_posts p ON p.id = h.post_id
		WHERE h.party_member_id = ? AND h.served_on >= ? AND h.served_on <= ? ORDER BY h.served_on`, memberID, yFrom, qTo)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var lines []ServiceLine
	for rows.Next() {
		l := ServiceLine{Source: "community"}
		if err := rows.Scan(&l.On, &l.What, &l.Minutes); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		lines = append(lines, l)
	}
	rows.Close()
	if extra != nil {
		_, more, err := extra(ctx, m.ResidentID, yFrom, qTo)
		if err != nil {
			return nil, err
		}
		lines = append(lines, more...)
	}
	for _, l := range lines {
		sheet.YearMin += l.Minutes
		if l.On >= qFrom {
			sheet.QuarterMin += l.Minutes
			sheet.Lines = append(sheet.Lines, l)
		}
	}
	prow, err := s.db.Query(ctx, `SELECT `+postCols+` FROM service_posts p JOIN units u ON u.id = p.community_id
		WHERE p.id IN (SELECT post_id FROM service_claims WHERE party_member_id = ?) ORDER BY p.created_at`, memberID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer prow.Close()
	for prow.Next() {
		p, err := scanPost(prow)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		sheet.Posts = append(sheet.Posts, *p)
	}
	return sheet, apperr.Wrap(prow.Err())
}

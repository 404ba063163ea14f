package people

import (
	"context"
	"testing"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// TestNewbornRegisteredToday registers a baby born today in Shanghai, by
// hand, through the loader and from a spreadsheet, with the store's clock
// at 00:30 in Shanghai (16:30 UTC the day before) and at 23:30 UTC (07:30
// the next day in Shanghai) of the day the test runs: the district's today
// is the day that counts, not the machine's. A birth the day after is
// refused.
func TestNewbornRegisteredToday(t *testing.T) {
	y, m, day := time.Now().UTC().Date()
	for _, tc := range []struct {
		name  string
		clock time.Time
	}{
		{"00:30 in Shanghai", time.Date(y, m, day, 16, 30, 0, 0, time.UTC)},
		{"23:30 UTC", time.Date(y, m, day, 23, 30, 0, 0, time.UTC)},
	} {
		sh := tc.clock.In(date.Shanghai)
		today, tomorrow := sh.Format("20060102"), sh.AddDate(0, 0, 1).Format("20060102")
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				f := setup(t, d)
				f.s.Now = func() time.Time { return tc.clock }
				t.Logf("clock %v, %s in Shanghai", tc.clock, today)
				h, err := f.s.CreateHousehold(ctx, system, f.building.ID, "101")
				if err != nil {
					t.Fatal(err)
				}
				born, later := idNumber("360403"+today+"001"), idNumber("360403"+tomorrow+"002")
				baby, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: "李小宝", IDNumber: born, Relation: "child"})
				if err != nil {
					t.Fatalf("a baby born today: %v", err)
				}
				if _, err := f.s.CreateResident(ctx, system, ResidentInput{HouseholdID: h.ID, Name: "李二宝", IDNumber: later, Relation: "child"}); fieldOf(err) != "id_number" {
					t.Errorf("a baby born tomorrow: %v", err)
				}
				// Without an identity card the birth date is checked the same way.
				passport := ResidentInput{HouseholdID: h.ID, Name: "李三宝", IDType: "passport", IDNumber: "E12345678", Gender: "male", Relation: "child"}
				passport.BirthDate = today[:4] + "-" + today[4:6] + "-" + today[6:]
				if _, err := f.s.CreateResident(ctx, system, passport); err != nil {
					t.Errorf("a baby born today, with a passport: %v", err)
				}
				passport.BirthDate, passport.IDNumber = tomorrow[:4]+"-"+tomorrow[4:6]+"-"+tomorrow[6:], "E12345679"
				if _, err := f.s.CreateResident(ctx, system, passport); fieldOf(err) != "birth_date" {
					t.Errorf("a baby born tomorrow, with a passport: %v", err)
				}
				if _, err := f.s.UpdateResident(ctx, system, baby.ID, ResidentInput{HouseholdID: h.ID, Name: "李宝", Relation: "child", Gender: "male"}); err != nil {
					t.Errorf("a change to the baby born today: %v", err)
				}
				// The bulk loader (the demo district's) and an import.
				err = d.InTx(ctx, func(tx *db.Tx) error {
					_, err := f.s.Loader(tx).Resident(ctx, f.building.Path, ResidentInput{HouseholdID: h.ID, Name: "王小宝", IDNumber: idNumber("360403" + today + "003"), Relation: "other"})
					return err
				})
				if err != nil {
					t.Errorf("loader: a baby born today: %v", err)
				}
				file := makeXLSX(t, [][]any{residentHeader(), resRow("赵小宝", idNumber("360403"+today+"004"), f.building.Code, "102", "户主")})
				rep, err := f.s.ImportSheet(ctx, actorAt(auth.CommunityStaff, f.community), SheetResidents, file, ImportOptions{})
				if err != nil || !rep.OK() {
					t.Errorf("import: a baby born today: %v\n%s", err, problemsOf(rep))
				}
			})
		})
	}
}

package account_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/date"
)

// visibleText is the text of a page's table as a reader sees it: no
// tags, no attributes.
func visibleText(html string) string {
	if m := regexp.MustCompile(`(?s)<tbody>.*</tbody>`).FindString(html); m != "" {
		html = m
	}
	return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, " ")
}

func get(t *testing.T, c *http.Client, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestAuditLogInWords checks that an auditor reads the log in words: what
// was done, to which record by name, by whom with their role, what changed
// from what to what; that the filters and the date range work in the
// district's day; and that the export holds the same words and is itself
// audited.
func TestAuditLogInWords(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Token(t, "admin")
		if status, body := e.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/units/%d", e.Grid1.ID), `{"name":"滨江一网格"}`); status != 200 {
			t.Fatalf("rename a grid: %d %s", status, body)
		}
		auditor := e.Browser(t, "auditor")
		status, page, _ := get(t, auditor, e.Server.URL+"/audit")
		if status != 200 {
			t.Fatalf("/audit: %d", status)
		}
		text := visibleText(page)
		for _, want := range []string{"修改单位", "滨江一网格", "区级管理员", "名称：由「", "登录", "网格"} {
			if !strings.Contains(text, want) {
				t.Errorf("the log does not say %q", want)
			}
		}
		for _, raw := range []string{"unit.update", "unit.create", "user.create", "login.failed", `{"`, "user 7", "district-admin"} {
			if strings.Contains(text, raw) {
				t.Errorf("the log shows the raw %q to an auditor", raw)
			}
		}

		_, page, _ = get(t, auditor, e.Server.URL+"/audit?action=login")
		if text := visibleText(page); strings.Contains(text, "修改单位") || !strings.Contains(text, "登录") {
			t.Errorf("filtered to sign-ins, the log shows other actions or none")
		}
		today := date.Of(time.Now().In(date.Shanghai))
		tomorrow := date.Of(time.Now().In(date.Shanghai).AddDate(0, 0, 1))
		_, page, _ = get(t, auditor, e.Server.URL+"/audit?from="+string(today)+"&to="+string(today))
		if !strings.Contains(visibleText(page), "修改单位") {
			t.Errorf("today's entries are missing from today's range")
		}
		_, page, _ = get(t, auditor, e.Server.URL+"/audit?from="+string(tomorrow))
		if !strings.Contains(page, "没有符合条件的记录") {
			t.Errorf("tomorrow's range is not empty")
		}
		if status, page, _ := get(t, auditor, e.Server.URL+"/audit?from=yesterday"); status != 400 || !strings.Contains(page, "日期格式") {
			t.Errorf("a bad date: %d", status)
		}

		status, body, header := get(t, auditor, e.Server.URL+"/audit/export?entity=unit")
		if status != 200 || !strings.Contains(header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export: %d %s", status, header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetList()[0])
		if err != nil || len(rows) < 2 {
			t.Fatalf("export rows: %v %v", rows, err)
		}
		found := false
		for _, r := range rows[1:] {
			line := strings.Join(r, "|")
			if strings.Contains(line, "unit.update") || strings.Contains(line, "登录") {
				t.Errorf("export row %q has a raw code or another kind of record", line)
			}
			found = found || strings.Contains(line, "修改单位") && strings.Contains(line, "滨江一网格") && strings.Contains(line, "由「")
		}
		if !found {
			t.Errorf("the export has no row for the renamed grid: %v", rows)
		}

		tok := e.Token(t, "auditor")
		status, body = e.Do(t, tok, "GET", "/api/v1/audit?action=export.audit_log", "")
		var list struct {
			Total int `json:"total"`
			Items []struct {
				ActionText string `json:"action_text"`
				Roles      string `json:"roles"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil {
			t.Fatalf("API: %d %v %s", status, err, body)
		}
		if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ActionText != "导出审计日志" || list.Items[0].Roles != "审计员" {
			t.Errorf("the export was not audited as the auditor's: %s", body)
		}
		status, body = e.Do(t, tok, "GET", "/api/v1/audit?per_page=2", "")
		if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.Items) != 2 || list.Total <= 2 {
			t.Errorf("API paging: %d %s", status, body)
		}
	})
}

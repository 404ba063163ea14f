package people

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/sheet"
	"grassroots/internal/platform/web"
)

// sheetPages serves the import and export pages as actor, without the
// sign-in and the rest of the application.
type sheetPages struct {
	t     *testing.T
	h     http.Handler
	actor *auth.Actor
}

func newSheetPages(t *testing.T, s *Store, actor *auth.Actor) *sheetPages {
	t.Helper()
	r, err := web.NewRenderer(web.NewStatic())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddPages("people", templateFiles, "templates"); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := (&UI{Store: s, R: r}).registerSheets(web.NewRoutes(r, mux, mux)); err != nil {
		t.Fatal(err)
	}
	p := &sheetPages{t: t, actor: actor}
	p.h = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mux.ServeHTTP(w, req.WithContext(web.WithActor(req.Context(), p.actor)))
	})
	return p
}

func (p *sheetPages) do(req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, req)
	return w
}

func (p *sheetPages) get(path string) *httptest.ResponseRecorder {
	return p.do(httptest.NewRequest(http.MethodGet, path, nil))
}

func (p *sheetPages) upload(kind, filename string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", kind)
	if filename != "" {
		fw, _ := mw.CreateFormFile("file", filename)
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return p.do(req)
}

// finish waits for the import an upload redirected to and returns its page.
func (p *sheetPages) finish(s *Store, w *httptest.ResponseRecorder) (int64, string) {
	p.t.Helper()
	if w.Code != http.StatusSeeOther {
		p.t.Fatalf("upload: %d %s", w.Code, w.Body.String())
	}
	var id int64
	fmt.Sscanf(w.Header().Get("Location"), "/imports/%d", &id)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitImport(ctx, id); err != nil {
		p.t.Fatal(err)
	}
	page := p.get(fmt.Sprintf("/imports/%d", id))
	if page.Code != http.StatusOK {
		p.t.Fatalf("import page: %d %s", page.Code, page.Body.String())
	}
	return id, page.Body.String()
}

func TestImportPages(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		community := actorAt(auth.CommunityStaff, f.community)
		p := newSheetPages(t, f.s, community)

		w := p.get("/imports")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "第一步：下载模板") || !strings.Contains(w.Body.String(), `href="/import-templates/party-members"`) {
			t.Fatalf("imports page: %d %s", w.Code, w.Body.String())
		}

		// The template, filled in as an official would, imports.
		w = p.get("/import-templates/residents")
		if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("template: %d %v", w.Code, w.Header())
		}
		x, err := excelize.OpenReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		name := x.GetSheetName(0)
		id := idNumber("36040319500101234")
		for i, v := range []any{"胡大爷", "", "居民身份证", id, "", "汉族", "13812340000", "户籍人口", f.building.Code, "1单元101", "户主", "独居老人"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			x.SetCellValue(name, cell, v)
		}
		var filled bytes.Buffer
		x.Write(&filled)
		x.Close()
		jobID, page := p.finish(f.s, p.upload("residents", "居民信息.xlsx", filled.Bytes()))
		if !strings.Contains(page, "导入成功，共导入 1 名居民，新建住户 1 户。") || strings.Contains(page, "hx-trigger") {
			t.Errorf("finished page: %s", page)
		}
		frag := p.get(fmt.Sprintf("/imports/%d/progress", jobID))
		if frag.Code != http.StatusOK || strings.Contains(frag.Body.String(), "<html") || !strings.Contains(frag.Body.String(), `id="import-status"`) {
			t.Errorf("fragment: %s", frag.Body.String())
		}

		// The same file again: rejected, with its problems on the page and in the report.
		jobID, page = p.finish(f.s, p.upload("residents", "again.xlsx", filled.Bytes()))
		if !strings.Contains(page, "检查发现 1 处问题，未导入任何数据") || !strings.Contains(page, "已有登记") {
			t.Errorf("rejected page: %s", page)
		}
		w = p.get(fmt.Sprintf("/imports/%d/report?format=xlsx", jobID))
		rx, err := excelize.OpenReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := rx.GetRows(rx.GetSheetName(0))
		if len(rows) != 2 || strings.Join(rows[0], ",") != "行号,列,填写内容,问题" || rows[1][0] != "2" || rows[1][1] != "证件号码" || strings.Contains(rows[1][2], id) {
			t.Errorf("report = %q", rows)
		}
		w = p.get(fmt.Sprintf("/imports/%d/report?format=csv", jobID))
		if !strings.HasPrefix(w.Body.String(), "\xef\xbb\xbf行号,列,填写内容,问题\n2,证件号码,") {
			t.Errorf("csv report = %q", w.Body.String())
		}

		// What cannot be imported is said beside the file field.
		w = p.upload("residents", "x.pdf", []byte("%PDF-1.4\n\x00\x00\x00"))
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "文件不是 Excel 表格") {
			t.Errorf("pdf: %d %s", w.Code, w.Body.String())
		}
		w = p.upload("residents", "", nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "请选择要上传的文件") {
			t.Errorf("no file: %d", w.Code)
		}
		old := sheet.MaxBytes
		sheet.MaxBytes = 1000
		w = p.upload("residents", "big.csv", bytes.Repeat([]byte("a,b\n"), 1000))
		sheet.MaxBytes = old
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("too large: %d", w.Code)
		}

		// A running import's page polls and shows its progress.
		var running int64
		d.InTx(context.Background(), func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), `INSERT INTO imports (kind, filename, status, message, actor_id, created_at) VALUES ('residents', 'big.xlsx', 'running', 'writing', ?, ?) RETURNING id`,
				community.UserID, time.Now().UTC()).Scan(&running)
		})
		live.Store(liveKey{f.s, running}, &liveImport{stage: StageWriting, done: 5000, total: 10000})
		w = p.get(fmt.Sprintf("/imports/%d/progress", running))
		live.Delete(liveKey{f.s, running})
		if body := w.Body.String(); !strings.Contains(body, `hx-trigger="every 1s"`) || !strings.Contains(body, `value="65"`) || !strings.Contains(body, "5,000 / 10,000 行") {
			t.Errorf("progress: %s", body)
		}
		// Once no instance runs it, it is shown as interrupted.
		if body := p.get(fmt.Sprintf("/imports/%d", running)).Body.String(); !strings.Contains(body, "导入因服务重启而中断") {
			t.Errorf("orphan: %s", body)
		}
		if body := p.get("/imports").Body.String(); !strings.Contains(body, "居民信息.xlsx") || !strings.Contains(body, "有问题，未导入") {
			t.Errorf("history: %s", body)
		}

		// Exports, masked.
		w = p.get("/residents/export?format=csv")
		body := w.Body.String()
		if w.Code != http.StatusOK || !strings.Contains(body, "胡大爷") || strings.Contains(body, id) || !strings.Contains(body, id[:4]+"**********"+id[14:]) {
			t.Errorf("export: %d %s", w.Code, body)
		}
		if w := p.get("/party-members/export?format=xlsx"); w.Code != http.StatusOK {
			t.Errorf("party export: %d", w.Code)
		}
		if w := p.get("/grid-staff/export?format=xlsx&role=member"); w.Code != http.StatusOK {
			t.Errorf("staff export: %d", w.Code)
		}
		if w := p.get("/residents/export?format=pdf"); w.Code != http.StatusBadRequest {
			t.Errorf("bad format: %d", w.Code)
		}

		// Someone without the bulk permission sees none of it.
		p.actor = actorAt(auth.GridMember, f.grid)
		for _, path := range []string{"/imports", "/import-templates/residents", "/residents/export", fmt.Sprintf("/imports/%d", jobID)} {
			if w := p.get(path); w.Code != http.StatusForbidden {
				t.Errorf("grid member %s: %d", path, w.Code)
			}
		}
		// Another account with the permission does not see this one's imports.
		p.actor = &auth.Actor{UserID: 99, Username: "other", Grants: community.Grants}
		if w := p.get(fmt.Sprintf("/imports/%d/report", jobID)); w.Code != http.StatusNotFound {
			t.Errorf("another account's report: %d", w.Code)
		}
		_ = io.Discard
	})
}

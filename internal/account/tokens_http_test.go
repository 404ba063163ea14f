package account_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
)

// TestAccountTokens makes an API token on the account page, uses it, and
// revokes it there: shown once, listed by its purpose, refused once revoked.
func TestAccountTokens(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(t, "street1")
		post := func(path string, form url.Values) (int, string) {
			resp, err := b.PostForm(e.Server.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(body)
		}
		if status, body := post("/account/tokens", url.Values{"name": {"  "}, "token_password": {apptest.Password}}); status != 400 || !strings.Contains(body, "请填写令牌用途") {
			t.Errorf("a token without a purpose: %d", status)
		}
		if status, body := post("/account/tokens", url.Values{"name": {"x"}, "token_password": {"not-the-password"}}); status != 400 || !strings.Contains(body, "当前密码不正确") {
			t.Errorf("a token with a wrong password: %d", status)
		}
		status, body := post("/account/tokens", url.Values{"name": {"12345 热线对接"}, "token_password": {apptest.Password}})
		m := regexp.MustCompile(`<code class="token">(grt_[a-z0-9]+)</code>`).FindStringSubmatch(body)
		if status != 201 || m == nil || !strings.Contains(body, "12345 热线对接") {
			t.Fatalf("create a token: %d", status)
		}
		token := m[1]
		if status, _ := e.Do(t, token, "GET", "/api/v1/overview", ""); status != 200 {
			t.Errorf("the new token: %d", status)
		}
		// A token cannot make its own successor, even knowing the password.
		req, _ := http.NewRequest("POST", e.Server.URL+"/account/tokens", strings.NewReader(url.Values{"name": {"copy"}, "token_password": {apptest.Password}}.Encode()))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("a token making a token: %d", resp.StatusCode)
		}
		resp, err = b.Get(e.Server.URL + "/account")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(page), token) {
			t.Errorf("the token is shown again")
		}
		revoke := regexp.MustCompile(`action="(/account/tokens/\d+/revoke)"`).FindStringSubmatch(string(page))
		if revoke == nil {
			t.Fatal("no revoke button")
		}
		// Someone else cannot revoke it.
		resp, err = e.Browser(t, "street2").PostForm(e.Server.URL+revoke[1], nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("another user revoking: %d", resp.StatusCode)
		}
		if status, _ := post(revoke[1], nil); status != 303 {
			t.Errorf("revoke: %d", status)
		}
		resp, err = b.Get(e.Server.URL + "/account")
		if err != nil {
			t.Fatal(err)
		}
		page, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), "令牌已吊销") || !strings.Contains(string(page), "已吊销 ") || strings.Contains(string(page), revoke[1]) {
			t.Errorf("after revoking, the account page does not say so")
		}
		if status, _ := e.Do(t, token, "GET", "/api/v1/overview", ""); status != 401 {
			t.Errorf("the revoked token: %d", status)
		}
	})
}

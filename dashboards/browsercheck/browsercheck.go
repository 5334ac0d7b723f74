// Package browsercheck loads generated pages in a real headless Chromium
// (Debian's chromium, driven by chromedp) and reports what a reviewer would
// object to: console errors, uncaught exceptions, dialogs (an XSS canary),
// requests that leave the machine, and charts that did not draw.
package browsercheck

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium means no chromium binary is on PATH.
var ErrNoChromium = errors.New("chromium is not installed (Debian: apt-get install chromium)")

// PageReport is what one page did in the browser.
type PageReport struct {
	File       string
	Console    []string // console.error and console.assert calls, browser log errors
	Exceptions []string
	Dialogs    []string
	Outside    []string // requests to anything but file:, data:, blob: or about:
	Charts     int      // elements with class "chart"
	Drawn      int      // of those, how many hold a canvas
	Screenshot string   // PNG path, when a folder was given
	Load       time.Duration
	Bytes      int64
}

// Problems lists what is wrong with the page, empty when nothing is.
func (r PageReport) Problems() []string {
	var p []string
	for _, s := range r.Console {
		p = append(p, "console error: "+s)
	}
	for _, s := range r.Exceptions {
		p = append(p, "exception: "+s)
	}
	for _, s := range r.Dialogs {
		p = append(p, "dialog opened: "+s)
	}
	for _, s := range r.Outside {
		p = append(p, "request leaves the machine: "+s)
	}
	if r.Drawn < r.Charts {
		p = append(p, fmt.Sprintf("%d of %d charts did not draw", r.Charts-r.Drawn, r.Charts))
	}
	return p
}

// Available reports whether a chromium binary is on PATH.
func Available() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Browser starts a headless Chromium isolated from the network's background
// services; cancel stops it.
func Browser(ctx context.Context) (context.Context, context.CancelFunc, error) {
	exe, err := Available()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "kam-chromium-")
	if err != nil {
		return nil, nil, err
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(dir),
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("allow-file-access-from-files", false),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return bctx, func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(dir) }, nil
}

// Check loads every file in its own tab of one headless Chromium and
// reports on it; full-page PNG screenshots go to screenshotDir (created if
// needed) when it is not empty. An error means a page could not be
// checked at all; what is wrong with a page is in its report's Problems.
func Check(ctx context.Context, files []string, screenshotDir string) ([]PageReport, error) {
	bctx, cancel, err := Browser(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	if screenshotDir != "" {
		if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
			return nil, err
		}
	}
	names := shotNames(files)
	var out []PageReport
	for i, f := range files {
		r, err := checkPage(bctx, f)
		if err != nil {
			return out, fmt.Errorf("%s: %w", f, err)
		}
		if screenshotDir != "" {
			r.Screenshot = filepath.Join(screenshotDir, fmt.Sprintf("%02d-%s.png", i, names[i]))
		}
		if r.Screenshot != "" {
			if err := os.WriteFile(r.Screenshot, r.png, 0o644); err != nil {
				return out, err
			}
		}
		out = append(out, r.PageReport)
	}
	return out, nil
}

// shotNames names screenshots by each file's path below the folder all
// files share: index, director_index, kam_M01_index.
func shotNames(files []string) []string {
	abs := make([]string, len(files))
	for i, f := range files {
		abs[i], _ = filepath.Abs(f)
	}
	common := ""
	if len(abs) > 0 {
		common = filepath.Dir(abs[0])
	}
	for _, a := range abs {
		for common != filepath.Dir(common) && !strings.HasPrefix(a, common+string(filepath.Separator)) {
			common = filepath.Dir(common)
		}
	}
	names := make([]string, len(files))
	for i, a := range abs {
		rel, err := filepath.Rel(common, a)
		if err != nil {
			rel = filepath.Base(a)
		}
		rel = strings.TrimSuffix(filepath.ToSlash(rel), ".html")
		names[i] = strings.NewReplacer("/", "_", " ", "_", "..", "_").Replace(rel)
	}
	return names
}

type pageResult struct {
	PageReport
	png []byte
}

func localURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Scheme {
	case "file", "data", "blob", "about":
		return true
	}
	return false
}

func checkPage(bctx context.Context, file string) (pageResult, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return pageResult{}, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return pageResult{}, err
	}
	tctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	tctx, cancelTimeout := context.WithTimeout(tctx, 60*time.Second)
	defer cancelTimeout()
	res := pageResult{PageReport: PageReport{File: file, Bytes: st.Size()}}
	var mu sync.Mutex
	if err := chromedp.Do(tctx); err != nil {
		return res, err
	}
	if err := chromedp.Listen(tctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				res.Console = append(res.Console, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			res.Exceptions = append(res.Exceptions, msg)
		case *log.EventEntryAdded:
			if e.Entry != nil && e.Entry.Level == log.EntryLevelError {
				res.Console = append(res.Console, e.Entry.Text+" "+e.Entry.URL)
			}
		case *page.EventJavascriptDialogOpening:
			res.Dialogs = append(res.Dialogs, string(e.Type)+": "+e.Message)
			go func() { // a dialog blocks the page until answered
				_, _ = chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}()
		case *network.EventRequestWillBeSent:
			if e.Request != nil && !localURL(e.Request.URL) {
				res.Outside = append(res.Outside, e.Request.URL)
			}
		}
	}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		return res, err
	}
	start := time.Now()
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+abs)); err != nil {
		return res, err
	}
	// Charts draw synchronously before the load event (animation is off).
	res.Load = time.Since(start)
	// Give late errors a moment.
	if err := chromedp.Do(tctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
		return res, err
	}
	counts, err := chromedp.Run(tctx, chromedp.Evaluate[[]int](drawnScript))
	if err != nil {
		return res, err
	}
	res.Charts, res.Drawn = counts[0], counts[1]
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		return res, err
	}
	res.png = png
	mu.Lock()
	defer mu.Unlock()
	return res, nil
}

// drawnScript counts the page's chart elements and those holding a drawn
// ECharts canvas.
const drawnScript = `(function () {
        var divs = Array.from(document.querySelectorAll('.chart'));
        var drawn = divs.filter(function (d) {
            var c = d.querySelector('canvas');
            return c && c.width > 0 && c.height > 0 && typeof echarts !== 'undefined' && echarts.getInstanceByDom(d);
        });
        return [divs.length, drawn.length];
    })()`

// PDF prints a page with Chromium's print-to-PDF, honouring its @page CSS,
// after checking that every chart on it has drawn.
func PDF(ctx context.Context, file string) ([]byte, error) {
	bctx, cancel, err := Browser(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	// Lay the page out at the printable width of A4 landscape (297 mm less
	// 2 × 12 mm margins, at 96 dpi): printToPDF fires no beforeprint, so
	// charts print at the width they were drawn at.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1032, 730), chromedp.Navigate("file://"+abs), chromedp.Sleep(300*time.Millisecond)); err != nil {
		return nil, err
	}
	// Every chart must be on the page before it is printed.
	counts, err := chromedp.Run(bctx, chromedp.Evaluate[[]int](drawnScript))
	if err != nil {
		return nil, err
	}
	if counts[1] < counts[0] {
		return nil, fmt.Errorf("%d of %d charts did not draw", counts[0]-counts[1], counts[0])
	}
	return chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
}

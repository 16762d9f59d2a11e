package recorder

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/smcct/smcct/rpc"
)

// Replay errors use this code and status. The code is outside both products' catalogues on
// purpose, so no client mistakes a missing recording for a service answer.
const (
	CodeNotRecorded   = "Smcct.Replay.NotRecorded"
	StatusNotRecorded = http.StatusNotFound
)

// Handler serves recorded responses to any client, whatever its credentials, nonce or
// clock, from a Recorder opened in Replay mode. A request with no unplayed recording gets
// an error in the service's envelope (JSON, or XML when it asked for Format=XML) whose
// message names the closest recording and the differences. logf, if not nil, receives one
// line per miss.
func (r *Recorder) Handler(logf func(format string, args ...any)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.mode != Replay {
			writeReplayError(w, rpc.JSON, http.StatusInternalServerError, "InternalError", "recorder: Handler needs Replay mode")
			return
		}
		c, err := CanonOf(req)
		if err != nil {
			writeReplayError(w, rpc.JSON, http.StatusBadRequest, "InvalidParameter.Format", err.Error())
			return
		}
		in, err := r.idx.take(c)
		if err != nil {
			if logf != nil {
				logf("%v", err)
			}
			status := StatusNotRecorded
			var miss *MissError
			if !errors.As(err, &miss) {
				status = http.StatusInternalServerError
			}
			writeReplayError(w, formatOf(c), status, CodeNotRecorded, err.Error())
			return
		}
		h := w.Header()
		for k, vs := range in.Response.Headers {
			if k == "Content-Length" || k == "Transfer-Encoding" || k == "Connection" {
				continue
			}
			h[k] = append([]string(nil), vs...)
		}
		h.Set("Content-Length", strconv.Itoa(len(in.Response.Body)))
		code := in.Response.Code
		if code == 0 {
			code = http.StatusOK
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(in.Response.Body)) // a client gone away is not ours to report
	})
}

func formatOf(c Canon) rpc.Format {
	if strings.EqualFold(c.Params.Get("Format"), string(rpc.XML)) {
		return rpc.XML
	}
	return rpc.JSON
}

func writeReplayError(w http.ResponseWriter, f rpc.Format, status int, code, msg string) {
	rpc.WriteError(w, f, "", &rpc.Error{Status: status, Code: code, Message: msg})
}

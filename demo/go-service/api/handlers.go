// Package api serves the build-tracking HTTP API.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"strconv"
	"time"

	"example.com/buildsvc/artifacts"
	"example.com/buildsvc/metrics"
	"example.com/buildsvc/store"
	"example.com/buildsvc/webhook"
)

// Server holds the dependencies of the handlers.
type Server struct {
	Store    *store.Store
	Logs     *artifacts.Dir
	Metrics  *metrics.Client
	Notifier *webhook.Notifier
}

// Routes registers the handlers.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/builds", s.listBuilds)
	mux.HandleFunc("/builds/running", s.listRunning)
	mux.HandleFunc("/builds/finish", s.finishBuild)
	mux.HandleFunc("/builds/log", s.buildLog)
	return mux
}

func (s *Server) listBuilds(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	repo := r.URL.Query().Get("repo")
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 500 {
		limit = 50
	}
	builds, err := s.Store.ListBuilds(r.Context(), repo, limit)
	if err != nil {
		log.Printf("list builds: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.Metrics.Timing("api.list_builds", time.Since(start))
	writeJSON(w, builds)
}

func (s *Server) listRunning(w http.ResponseWriter, r *http.Request) {
	builds, err := s.Store.ListRunning(r.Context())
	if err != nil {
		log.Printf("list running: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writeJSON(w, builds)
}

type finishRequest struct {
	ID     int64              `json:"id"`
	Status string             `json:"status"`
	Steps  map[string]float64 `json:"steps"`
}

func (s *Server) finishBuild(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var req finishRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	err := s.Store.Finish(r.Context(), req.ID, req.Status, req.Steps)
	if errors.Is(err, store.ErrNotFound) {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if err != nil {
		log.Printf("finish build %d: %v", req.ID, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.Metrics.Incr("builds.finished", "status:"+req.Status)
	b, err := s.Store.Get(r.Context(), req.ID)
	if err == nil {
		if err := s.Notifier.Notify(r.Context(), b); err != nil {
			log.Printf("notify build %d: %v", req.ID, err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) buildLog(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	if err != nil {
		http.Error(w, "bad build id", http.StatusBadRequest)
		return
	}
	f, err := s.Logs.Open(id)
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if _, err := io.Copy(w, f); err != nil {
		log.Printf("send log of build %d: %v", id, err)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("encode response: %v", err)
	}
}

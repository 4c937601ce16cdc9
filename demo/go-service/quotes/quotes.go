// Package quotes serves spot-price quotes for build runners: the scheduler asks
// it which instance type is cheapest before it starts a build. Quotes come from
// the cloud provider's pricing API over mutual TLS.
package quotes

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"time"
)

// Quote is the hourly price of one instance type in one region.
type Quote struct {
	InstanceType string    `json:"instance_type"`
	Region       string    `json:"region"`
	HourlyUSD    float64   `json:"hourly_usd"`
	AsOf         time.Time `json:"as_of"`
}

// Handler answers GET /quotes?type=...&region=....
type Handler struct {
	// PricingURL is the base URL of the provider's pricing API.
	PricingURL string
	// Cert is the client certificate the pricing API requires.
	Cert tls.Certificate
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q, err := h.fetchQuote(r.URL.Query().Get("type"), r.URL.Query().Get("region"))
	if err != nil {
		log.Printf("quote: %v", err)
		http.Error(w, "pricing unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(q); err != nil {
		log.Printf("encode quote: %v", err)
	}
}

// fetchQuote asks the pricing API for one quote. It runs for every request.
func (h *Handler) fetchQuote(instanceType, region string) (*Quote, error) {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			Certificates: []tls.Certificate{h.Cert},
			MinVersion:   tls.VersionTLS12,
		},
		MaxIdleConnsPerHost: 4,
	}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}

	u := fmt.Sprintf("%s/v1/spot?type=%s&region=%s", h.PricingURL, url.QueryEscape(instanceType), url.QueryEscape(region))
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pricing API: %s", resp.Status)
	}
	var q Quote
	if err := json.NewDecoder(resp.Body).Decode(&q); err != nil {
		return nil, fmt.Errorf("decode quote: %w", err)
	}
	return &q, nil
}

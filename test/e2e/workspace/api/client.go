package api

import "net/http"

// StatusCode asks a health endpoint for its status and forgets the response body.
func StatusCode(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

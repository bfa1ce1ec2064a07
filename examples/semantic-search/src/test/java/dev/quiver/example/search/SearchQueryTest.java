package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SearchQueryTest {

  private static Map<String, List<String>> params(String... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.computeIfAbsent(kv[i], k -> new java.util.ArrayList<>()).add(kv[i + 1]);
    }
    return m;
  }

  private static void refused(String code, String parameter, String... kv) {
    SearchQuery.BadRequest e = assertThrows(SearchQuery.BadRequest.class, () -> SearchQuery.parse(params(kv)));
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(parameter, e.parameter());
  }

  @Test
  @DisplayName("defaults, trimming, and tags split on commas without duplicates")
  void accepted() {
    assertEquals(new SearchQuery("web server", 10, Optional.empty(), List.of()), SearchQuery.parse(params("q", " web server ")));
    assertEquals(new SearchQuery("q", 50, Optional.of("acme-1.eu@x:y"), List.of("httpd", "net")),
        SearchQuery.parse(params("q", "q", "k", "50", "tenant", "acme-1.eu@x:y", "tags", "httpd, net,httpd")));
    assertEquals(Optional.empty(), SearchQuery.parse(params("q", "q", "tenant", "")).tenant(), "an empty tenant is no tenant");
  }

  @Test
  @DisplayName("every bad parameter is refused with its own code, naming the parameter")
  void refusedParameters() {
    refused("missing_query", "q");
    refused("missing_query", "q", "q", " \t");
    refused("query_too_long", "q", "q", "x".repeat(SearchQuery.MAX_QUERY + 1));
    refused("invalid_k", "k", "q", "a", "k", "1.5");
    refused("invalid_k", "k", "q", "a", "k", "99999999999");
    refused("k_out_of_range", "k", "q", "a", "k", "0");
    refused("k_out_of_range", "k", "q", "a", "k", "-3");
    refused("k_out_of_range", "k", "q", "a", "k", String.valueOf(SearchQuery.MAX_K + 1));
    refused("invalid_tenant", "tenant", "q", "a", "tenant", "a/b");
    refused("invalid_tenant", "tenant", "q", "a", "tenant", "it's");
    refused("invalid_tags", "tags", "q", "a", "tags", "a,");
    refused("invalid_tags", "tags", "q", "a", "tags", "a\u0001b");
    refused("too_many_tags", "tags", "q", "a", "tags", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
    refused("unknown_parameter", "limit", "q", "a", "limit", "3");
    refused("repeated_parameter", "k", "q", "a", "k", "1", "k", "2");
  }
}

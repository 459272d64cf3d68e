/*
 * Minimal stand-in for Elasticsearch's `analysis-common` module, used only by CI and
 * local development. The integ-test distribution of Elasticsearch 8 published on Maven
 * Central ships without that module, so this plugin registers the commonly used
 * tokenizers, token filters, char filters and language analyzers straight from Lucene
 * (lucene-analysis-common is already on Elasticsearch's classpath).
 *
 * Built by .ci/services.sh with javac against the jars of the unpacked distribution.
 */
package portal.analysis;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopwordAnalyzerBase;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.es.SpanishMinimalStemFilter;
import org.apache.lucene.analysis.es.SpanishPluralStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.plugins.Plugin;

public class PortalAnalysisPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private final Settings nodeSettings;

    public PortalAnalysisPlugin(Settings settings) {
        this.nodeSettings = settings;
    }

    @Override
    public java.util.Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        java.util.function.Supplier<DiscoveryNodes> nodesInCluster,
        java.util.function.Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootInfoHandler(nodeSettings));
    }


    // ---------------------------------------------------------------- helpers

    private static TokenFilterFactory filter(String name, Function<TokenStream, TokenStream> f) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream ts) {
                return f.apply(ts);
            }
        };
    }

    private static CharFilterFactory charFilter(String name, Function<Reader, Reader> f) {
        return new CharFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Reader create(Reader r) {
                return f.apply(r);
            }
        };
    }

    private static int intSetting(Settings s, String key, int dflt) {
        // accept both snake_case and the old camelCase spelling (minGram / maxGram)
        String v = s.get(key);
        if (v == null) {
            StringBuilder camel = new StringBuilder();
            boolean up = false;
            for (char c : key.toCharArray()) {
                if (c == '_') {
                    up = true;
                } else {
                    camel.append(up ? Character.toUpperCase(c) : c);
                    up = false;
                }
            }
            v = s.get(camel.toString());
        }
        return v == null ? dflt : Integer.parseInt(v);
    }

    /** Lower-casing letter tokenizer (Lucene 9 removed LowerCaseTokenizer). */
    static final class LowerCaseLetterTokenizer extends Tokenizer {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
        private int pos = 0;        // chars consumed from input
        private int pending = -1;   // one char of look-ahead (-1: none)
        private int finalOffset = 0;

        private int read() throws IOException {
            if (pending != -1) {
                int c = pending;
                pending = -1;
                return c;
            }
            return input.read();
        }

        @Override
        public boolean incrementToken() throws IOException {
            clearAttributes();
            int c;
            // skip non-letters
            while (true) {
                c = read();
                if (c == -1) {
                    finalOffset = correctOffset(pos);
                    return false;
                }
                pos++;
                int cp = c;
                if (Character.isHighSurrogate((char) c)) {
                    int lo = read();
                    if (lo != -1) {
                        pos++;
                        cp = Character.toCodePoint((char) c, (char) lo);
                    }
                }
                if (Character.isLetter(cp)) {
                    int start = pos - Character.charCount(cp);
                    term.setEmpty();
                    appendLower(cp);
                    while (true) {
                        int d = read();
                        if (d == -1) {
                            break;
                        }
                        int dcp = d;
                        int n = 1;
                        if (Character.isHighSurrogate((char) d)) {
                            int lo = read();
                            if (lo != -1) {
                                dcp = Character.toCodePoint((char) d, (char) lo);
                                n = 2;
                            }
                        }
                        if (Character.isLetter(dcp) == false || term.length() >= 255) {
                            if (n == 1) {
                                pending = d;
                            } else {
                                pos += n; // drop a non-letter surrogate pair
                            }
                            break;
                        }
                        pos += n;
                        appendLower(dcp);
                    }
                    offset.setOffset(correctOffset(start), correctOffset(pos));
                    return true;
                }
            }
        }

        private void appendLower(int cp) {
            term.append(new String(Character.toChars(Character.toLowerCase(cp))));
        }

        @Override
        public void end() throws IOException {
            super.end();
            offset.setOffset(finalOffset, finalOffset);
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            pos = 0;
            pending = -1;
            finalOffset = 0;
        }
    }

    /** token_chars support for (edge_)ngram tokenizers. */
    static boolean matches(List<String> classes, int c) {
        if (classes.isEmpty()) {
            return true;
        }
        for (String cls : classes) {
            switch (cls) {
                case "letter":
                    if (Character.isLetter(c)) return true;
                    break;
                case "digit":
                    if (Character.isDigit(c)) return true;
                    break;
                case "whitespace":
                    if (Character.isWhitespace(c)) return true;
                    break;
                case "punctuation": {
                    int t = Character.getType(c);
                    if (t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                        || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                        || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                        || t == Character.OTHER_PUNCTUATION) return true;
                    break;
                }
                case "symbol": {
                    int t = Character.getType(c);
                    if (t == Character.MATH_SYMBOL || t == Character.CURRENCY_SYMBOL
                        || t == Character.MODIFIER_SYMBOL || t == Character.OTHER_SYMBOL) return true;
                    break;
                }
                default:
                    throw new IllegalArgumentException("Unknown token type: '" + cls + "'");
            }
        }
        return false;
    }

    private static TokenStream stemmer(String language, TokenStream ts) {
        String lang = language == null ? "english" : language.toLowerCase(Locale.ROOT);
        switch (lang) {
            case "english":
            case "porter":
                return new PorterStemFilter(ts);
            case "light_english":
            case "kstem":
                return new KStemFilter(ts);
            case "minimal_english":
                return new EnglishMinimalStemFilter(ts);
            case "possessive_english":
                return new EnglishPossessiveFilter(ts);
            case "light_spanish":
                return new SpanishLightStemFilter(ts);
            case "minimal_spanish":
                return new SpanishMinimalStemFilter(ts);
            case "spanish_plural":
                return new SpanishPluralStemFilter(ts);
            case "spanish":
                return new SnowballFilter(ts, "Spanish");
            default:
                // any Snowball stemmer by name: catalan, basque, portuguese, french, german, ...
                String n = Character.toUpperCase(lang.charAt(0)) + lang.substring(1);
                return new SnowballFilter(ts, n);
        }
    }

    // ---------------------------------------------------------------- synonyms

    static final class SynonymFactory implements TokenFilterFactory {
        private final String name;
        private final Settings settings;
        private final Environment env;
        private final boolean graph;

        SynonymFactory(Environment env, String name, Settings settings, boolean graph) {
            this.env = env;
            this.name = name;
            this.settings = settings;
            this.graph = graph;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TokenStream create(TokenStream ts) {
            throw new IllegalStateException("synonym filter [" + name + "] must be used inside an analysis chain");
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexService.IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            List<TokenFilterFactory> prev = new ArrayList<>();
            for (TokenFilterFactory p : previousTokenFilters) {
                prev.add(p.getSynonymFilter());
            }
            Analyzer analyzer = new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String field) {
                    Tokenizer t = tokenizer.create();
                    TokenStream ts = t;
                    for (TokenFilterFactory p : prev) {
                        ts = p.create(ts);
                    }
                    return new TokenStreamComponents(t, ts);
                }

                @Override
                protected Reader initReader(String field, Reader reader) {
                    for (CharFilterFactory c : charFilters) {
                        reader = c.create(reader);
                    }
                    return reader;
                }
            };
            boolean expand = settings.getAsBoolean("expand", true);
            boolean lenient = settings.getAsBoolean("lenient", false);
            String format = settings.get("format", "solr");
            List<String> rules = Analysis.getWordList(env, settings, "synonyms");
            if (rules == null) {
                rules = List.of();
            }
            final SynonymMap map;
            try {
                StringBuilder sb = new StringBuilder();
                for (String r : rules) {
                    sb.append(r).append('\n');
                }
                SynonymMap.Parser parser = "wordnet".equals(format)
                    ? new WordnetSynonymParser(true, expand, analyzer)
                    : new SolrSynonymParser(true, expand, analyzer);
                try {
                    parser.parse(new StringReader(sb.toString()));
                } catch (Exception e) {
                    if (lenient == false) {
                        throw e;
                    }
                }
                map = parser.build();
            } catch (Exception e) {
                throw new IllegalArgumentException("failed to build synonyms for [" + name + "]: " + e.getMessage(), e);
            }
            final boolean g = graph;
            final String n = name;
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return n;
                }

                @SuppressWarnings("deprecation")
                @Override
                public TokenStream create(TokenStream ts) {
                    if (map.fst == null) {
                        return ts;
                    }
                    return g ? new SynonymGraphFilter(ts, map, false) : new SynonymFilter(ts, map, false);
                }

                @Override
                public TokenFilterFactory getSynonymFilter() {
                    return IDENTITY_FILTER;
                }
            };
        }
    }

    // ---------------------------------------------------------------- registrations

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new HashMap<>();
        m.put("asciifolding", (is, env, name, s) -> {
            boolean keep = s.getAsBoolean("preserve_original", false);
            return filter(name, ts -> new ASCIIFoldingFilter(ts, keep));
        });
        AnalysisProvider<TokenFilterFactory> ngram = (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1), max = intSetting(s, "max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            return filter(name, ts -> new NGramTokenFilter(ts, min, max, keep));
        };
        m.put("ngram", ngram);
        m.put("nGram", ngram);
        AnalysisProvider<TokenFilterFactory> edge = (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1), max = intSetting(s, "max_gram", 2);
            boolean keep = s.getAsBoolean("preserve_original", false);
            boolean back = "back".equals(s.get("side", "front"));
            return filter(name, ts -> {
                if (back) {
                    ts = new ReverseStringFilter(ts);
                }
                ts = new EdgeNGramTokenFilter(ts, min, max, keep);
                return back ? new ReverseStringFilter(ts) : ts;
            });
        };
        m.put("edge_ngram", edge);
        m.put("edgeNGram", edge);
        m.put("synonym", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(env, name, s, false)));
        m.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(env, name, s, true)));
        m.put("stemmer", (is, env, name, s) -> {
            String lang = s.get("language", s.get("name", "english"));
            return filter(name, ts -> stemmer(lang, ts));
        });
        m.put("snowball", (is, env, name, s) -> {
            String lang = s.get("language", "English");
            return filter(name, ts -> new SnowballFilter(ts, lang));
        });
        m.put("porter_stem", (is, env, name, s) -> filter(name, PorterStemFilter::new));
        m.put("kstem", (is, env, name, s) -> filter(name, KStemFilter::new));
        m.put("keyword_marker", (is, env, name, s) -> {
            boolean ignoreCase = s.getAsBoolean("ignore_case", false);
            CharArraySet words = Analysis.getWordSet(env, s, "keywords");
            CharArraySet set = words == null ? CharArraySet.EMPTY_SET : new CharArraySet(words, ignoreCase);
            return filter(name, ts -> new SetKeywordMarkerFilter(ts, set));
        });
        m.put("trim", (is, env, name, s) -> filter(name, TrimFilter::new));
        m.put("unique", (is, env, name, s) -> filter(name, RemoveDuplicatesTokenFilter::new));
        m.put("uppercase", (is, env, name, s) -> filter(name, UpperCaseFilter::new));
        m.put("reverse", (is, env, name, s) -> filter(name, ReverseStringFilter::new));
        m.put("truncate", (is, env, name, s) -> {
            int len = s.getAsInt("length", 10);
            return filter(name, ts -> new TruncateTokenFilter(ts, len));
        });
        m.put("length", (is, env, name, s) -> {
            int min = s.getAsInt("min", 0), max = s.getAsInt("max", Integer.MAX_VALUE);
            return filter(name, ts -> new LengthFilter(ts, min, max));
        });
        return m;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new HashMap<>();
        m.put("whitespace", (is, env, name, s) -> TokenizerFactory.newFactory(name, WhitespaceTokenizer::new));
        m.put("keyword", (is, env, name, s) -> TokenizerFactory.newFactory(name, KeywordTokenizer::new));
        m.put("letter", (is, env, name, s) -> TokenizerFactory.newFactory(name, LetterTokenizer::new));
        m.put("lowercase", (is, env, name, s) -> TokenizerFactory.newFactory(name, LowerCaseLetterTokenizer::new));
        m.put("classic", (is, env, name, s) -> TokenizerFactory.newFactory(name, ClassicTokenizer::new));
        m.put("uax_url_email", (is, env, name, s) -> TokenizerFactory.newFactory(name, UAX29URLEmailTokenizer::new));
        m.put("pattern", (is, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern", "\\W+"));
            int group = s.getAsInt("group", -1);
            return TokenizerFactory.newFactory(name, () -> new PatternTokenizer(p, group));
        });
        AnalysisProvider<TokenizerFactory> ngram = (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1), max = intSetting(s, "max_gram", 2);
            List<String> chars = s.getAsList("token_chars");
            return TokenizerFactory.newFactory(name, () -> new NGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return matches(chars, chr);
                }
            });
        };
        m.put("ngram", ngram);
        m.put("nGram", ngram);
        AnalysisProvider<TokenizerFactory> edge = (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1), max = intSetting(s, "max_gram", 2);
            List<String> chars = s.getAsList("token_chars");
            return TokenizerFactory.newFactory(name, () -> new EdgeNGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return matches(chars, chr);
                }
            });
        };
        m.put("edge_ngram", edge);
        m.put("edgeNGram", edge);
        return m;
    }

    @Override
    public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> m = new HashMap<>();
        m.put("html_strip", (is, env, name, s) -> {
            java.util.Set<String> escaped = new java.util.HashSet<>(s.getAsList("escaped_tags"));
            return charFilter(name, r -> new HTMLStripCharFilter(r, escaped.isEmpty() ? null : escaped));
        });
        m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            List<String> rules = Analysis.getWordList(env, s, "mappings");
            NormalizeCharMap.Builder b = new NormalizeCharMap.Builder();
            if (rules != null) {
                for (String rule : rules) {
                    int i = rule.indexOf("=>");
                    if (i < 0) {
                        throw new IllegalArgumentException("Invalid mapping rule : [" + rule + "]");
                    }
                    String from = rule.substring(0, i).trim(), to = rule.substring(i + 2).trim();
                    b.add(unescape(from), unescape(to));
                }
            }
            NormalizeCharMap map = b.build();
            return charFilter(name, r -> new MappingCharFilter(map, r));
        }));
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            Pattern p = Pattern.compile(s.get("pattern"));
            String replacement = s.get("replacement", "");
            return charFilter(name, r -> new PatternReplaceCharFilter(p, replacement, r));
        }));
        return m;
    }

    private static String unescape(String s) {
        return s.replace("\\u0020", " ").replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
    }

    /** Language analyzers with optional `stopwords` / `stem_exclusion` settings. */
    @FunctionalInterface
    interface LangCtor {
        StopwordAnalyzerBase make(CharArraySet stop, CharArraySet stemExclusion);
    }

    private static AnalysisProvider<AnalyzerProvider<? extends Analyzer>> lang(LangCtor ctor, CharArraySet defaults) {
        return (is, env, name, s) -> {
            CharArraySet stop = Analysis.parseStopWords(env, s, defaults);
            CharArraySet excl = Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET);
            Analyzer a = ctor.make(stop, excl);
            return new AbstractIndexAnalyzerProvider<Analyzer>(name, s) {
                @Override
                public Analyzer get() {
                    return a;
                }
            };
        };
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> m = new HashMap<>();
        m.put("spanish", lang(org.apache.lucene.analysis.es.SpanishAnalyzer::new,
            org.apache.lucene.analysis.es.SpanishAnalyzer.getDefaultStopSet()));
        m.put("english", lang(org.apache.lucene.analysis.en.EnglishAnalyzer::new,
            org.apache.lucene.analysis.en.EnglishAnalyzer.getDefaultStopSet()));
        m.put("catalan", lang(org.apache.lucene.analysis.ca.CatalanAnalyzer::new,
            org.apache.lucene.analysis.ca.CatalanAnalyzer.getDefaultStopSet()));
        m.put("basque", lang(org.apache.lucene.analysis.eu.BasqueAnalyzer::new,
            org.apache.lucene.analysis.eu.BasqueAnalyzer.getDefaultStopSet()));
        m.put("galician", lang(org.apache.lucene.analysis.gl.GalicianAnalyzer::new,
            org.apache.lucene.analysis.gl.GalicianAnalyzer.getDefaultStopSet()));
        m.put("portuguese", lang(org.apache.lucene.analysis.pt.PortugueseAnalyzer::new,
            org.apache.lucene.analysis.pt.PortugueseAnalyzer.getDefaultStopSet()));
        m.put("french", lang(org.apache.lucene.analysis.fr.FrenchAnalyzer::new,
            org.apache.lucene.analysis.fr.FrenchAnalyzer.getDefaultStopSet()));
        return m;
    }
}

# Run after JUCE's LV2 helper has written the bundle's Turtle files (BUNDLE=<the .lv2 folder>,
# URI=<the plugin's URI>), so that sord_validate finds no error in them. JUCE 7.0.5 writes:
# - ui:noUserResize (a feature) as UI extension data and opts:interface (extension data) as an
#   optional UI feature: both are dropped from the wrong list;
# - presets whose state names a property "<URI>:Program" that is defined nowhere: defined here;
# - doap:maintainer and doap:release on the plugin, whose domain is doap:Project: said here;
# - lv2:portProperty (enumeration, toggled) on parameters, which are not ports: dropped (the
#   parameters keep their scale points, which hosts show as the choices).
file(READ "${BUNDLE}/ui.ttl" ui)
string(REPLACE "\t\tui:noUserResize ,\n" "" ui "${ui}")
string(REPLACE "\t\topts:interface ,\n\t\topts:options ;" "\t\topts:options ;" ui "${ui}")
file(WRITE "${BUNDLE}/ui.ttl" "${ui}")

file(READ "${BUNDLE}/dsp.ttl" dsp)
# Parameters are written with one tab of indentation, port properties of real ports with two.
string(REGEX REPLACE "\n\tlv2:portProperty [^\n]*;" "" dsp "${dsp}")
file(WRITE "${BUNDLE}/dsp.ttl" "${dsp}")

file(READ "${BUNDLE}/manifest.ttl" manifest)
if(NOT manifest MATCHES "rdf:Property")
  string(APPEND manifest "
<${URI}:Program>
\ta <http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> ;
\trdfs:label \"Program\" ;
\trdfs:comment \"The factory preset (program) a preset selects.\" ;
\trdfs:range xsd:int .

<${URI}>
\ta <http://usefulinc.com/ns/doap#Project> .
")
  file(WRITE "${BUNDLE}/manifest.ttl" "${manifest}")
endif()

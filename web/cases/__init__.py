"""Case pages for case staff: the case list, opening a case (admission), the case page (header, phase
timeline, diagram, case-file sections, history) and the section and family-member editors."""

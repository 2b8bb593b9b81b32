//! A live table without the web: people playing agencies are scored exactly as a single trainee
//! is, and what a role is shown depends on what it has been told.

use safe_return::live::{Act, Table, view};
use safe_return::scenario::{Decisions, load_decisions, load_scenario, run};

fn scenario(name: &str) -> safe_return::scenario::LoadedScenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    load_scenario(&dir.join("scenario.ron")).unwrap()
}

/// Every required field of an action's form, filled in.
fn filled(sc: &safe_return::scenario::LoadedScenario, action: &str) -> Vec<(String, String)> {
    let p = &sc.protocol;
    p.action(action)
        .and_then(|a| a.form.as_deref())
        .and_then(|f| p.risk.forms.iter().find(|x| x.id == f))
        .map_or(Vec::new(), |f| {
            f.fields
                .iter()
                .map(|x| (x.id.clone(), "as recorded".to_string()))
                .collect()
        })
}

/// Play a script as one seat: each decision at its time.
fn play(t: &mut Table, token: &str, d: &Decisions) {
    for x in &d.actions {
        t.advance_to_hours(x.at_hours);
        let act = Act {
            action: x.action.clone(),
            rationale: x.note.clone().unwrap_or_default(),
            category: x.category.clone(),
            grade: x.grade,
            fields: filled(&t.scenario, &x.action),
        };
        t.act(token, act)
            .unwrap_or_else(|e| panic!("{} at {} h refused: {e}", x.action, x.at_hours));
    }
}

#[test]
fn a_parent_who_acts_by_the_book_in_a_live_exercise_scores_what_she_would_alone() {
    for name in [
        "haringey-home-eleven",
        "west-mercia-early-report",
        "bromley-aunts-house",
    ] {
        let sc = scenario(name);
        let dir = sc.dir().to_path_buf();
        let book = load_decisions(&dir.join("by-the-book.ron"), &sc).unwrap();
        let alone = run::run(&sc, &book, 1);
        assert_eq!(alone.score.percent, 100.0, "{name}: the reference scores 100 % alone");
        let mut t = Table::new("TEST".into(), sc.clone(), 1);
        let role = sc.scenario.trainee_role.clone();
        t.join("Sam", &role, "seat-1".into()).unwrap();
        t.start();
        play(&mut t, "seat-1", &book);
        t.advance_to_hours(sc.scenario.duration_hours);
        assert!(t.ended());
        let debrief = t.debrief();
        assert_eq!(debrief.len(), 1, "one agency played");
        assert_eq!(
            debrief[0].score.percent,
            100.0,
            "{name}: played live by the book, the {role} scores 100 %: {:?}",
            debrief[0]
                .obligations
                .iter()
                .filter(|o| o.points <= 0.0)
                .map(|o| (&o.rule, o.status, &o.feedback))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_call_handler_who_does_nothing_is_marked_down_only_for_what_they_were_told() {
    let sc = scenario("haringey-home-eleven");
    let book = load_decisions(&sc.dir().join("by-the-book.ron"), &sc).unwrap();
    let mut t = Table::new("TEST".into(), sc.clone(), 1);
    t.join("Marta", "parent_carer", "mum".into()).unwrap();
    t.join("Jo", "police_call_handler", "police".into()).unwrap();
    t.start();
    // Before the mother rings, the call handler's page holds nothing of Daniel.
    t.advance_to_hours(0.74);
    let v = view::participant(&t, "police").unwrap();
    assert!(!v.told && v.child.is_none());
    play(&mut t, "mum", &book);
    let v = view::participant(&t, "police").unwrap();
    assert!(v.told, "the report reached the police");
    assert_eq!(t.told_at("police_call_handler"), Some(sc.at(0.75)));
    t.advance_to_hours(sc.scenario.duration_hours);
    let debrief = t.debrief();
    let police = debrief.iter().find(|r| r.role == "police_call_handler").unwrap();
    assert!(
        police.score.percent < 100.0,
        "a call handler who did nothing is not at 100 %"
    );
    assert!(
        police.obligations.iter().any(|o| format!("{:?}", o.status) == "Missed"),
        "their duties since the report are missed"
    );
    let mum = debrief.iter().find(|r| r.role == "parent_carer").unwrap();
    assert_eq!(
        mum.score.percent, 100.0,
        "the mother is not marked down for the police's silence"
    );
}

#[test]
fn a_table_rebuilt_from_its_journal_is_the_same_table() {
    let sc = scenario("haringey-home-eleven");
    let book = load_decisions(&sc.dir().join("by-the-book.ron"), &sc).unwrap();
    let mut t = Table::new("TEST".into(), sc.clone(), 1);
    t.join("Marta", "parent_carer", "mum".into()).unwrap();
    t.start();
    play(&mut t, "mum", &book);
    t.inject(None, "It starts to rain").unwrap();
    t.advance_to_hours(7.3);
    t.running = false; // a table comes back paused
    let j = t.journal();
    let back = Table::restore(
        &serde_json::from_str(&serde_json::to_string(&j).unwrap()).unwrap(),
        sc.clone(),
    );
    assert_eq!(back.journal(), j);
    assert_eq!(back.engine.log, t.engine.log, "the same chronology, line for line");
    assert_eq!(
        serde_json::to_string(&view::participant(&back, "mum").unwrap()).unwrap(),
        serde_json::to_string(&view::participant(&t, "mum").unwrap()).unwrap()
    );
}

#[test]
fn the_rooms_debrief_shows_names_and_rationales_as_text_and_where_the_chain_waited() {
    use safe_return::live::debrief;
    let sc = scenario("haringey-home-eleven");
    let book = load_decisions(&sc.dir().join("by-the-book.ron"), &sc).unwrap();
    let mut t = Table::new("TEST".into(), sc.clone(), 1);
    t.join("<script>alert(1)</script>", "parent_carer", "mum".into())
        .unwrap();
    t.join("Jo | the *police*", "police_call_handler", "police".into())
        .unwrap();
    t.start();
    play(&mut t, "mum", &book);
    t.advance_to_hours(sc.scenario.duration_hours);
    let d = debrief::build(&t);
    let police = d.agencies.iter().find(|a| a.role == "police_call_handler").unwrap();
    assert_eq!(police.told_hours, Some(0.75));
    assert_eq!(police.first_act_hours, None, "the played call handler never acted");
    let mash = d.agencies.iter().find(|a| a.role == "mash").unwrap();
    assert!(
        mash.players.is_empty() && mash.told_hours.is_some(),
        "MASH, by the book, heard through the police"
    );
    let page = debrief::html(&d);
    assert!(!page.contains("<script>alert"), "a name is text, not markup");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let md = debrief::markdown(&d);
    assert!(md.contains("Jo \\| the \\*police\\*"), "{md}");
}

#[test]
fn practice_shows_a_participant_their_duties_as_they_settle_and_assessment_hides_them() {
    let sc = scenario("haringey-home-eleven");
    let book = load_decisions(&sc.dir().join("by-the-book.ron"), &sc).unwrap();
    for practice in [true, false] {
        let mut t = Table::new("TEST".into(), sc.clone(), 1);
        t.practice = practice;
        t.join("Marta", "parent_carer", "mum".into()).unwrap();
        t.join("Jo", "police_call_handler", "police".into()).unwrap();
        t.start();
        t.advance_to_hours(0.5);
        assert!(
            view::participant(&t, "police").unwrap().duties.is_empty(),
            "nothing before the child goes"
        );
        play(&mut t, "mum", &book);
        t.advance_to_hours(2.0);
        let mum = view::participant(&t, "mum").unwrap();
        let police = view::participant(&t, "police").unwrap();
        if practice {
            assert!(
                mum.duties
                    .iter()
                    .any(|d| d.status == "met" && d.action.starts_with("Report the child missing")),
                "{:?}",
                mum.duties
            );
            assert!(
                police
                    .duties
                    .iter()
                    .any(|d| d.status == "open" || d.status == "late" || d.status == "missed"),
                "{:?}",
                police.duties
            );
        } else {
            assert!(
                mum.duties.is_empty() && police.duties.is_empty(),
                "assessment: nothing until the debrief"
            );
        }
        t.advance_to_hours(sc.scenario.duration_hours);
        assert!(
            !view::participant(&t, "mum").unwrap().duties.is_empty(),
            "at the end everyone sees their duties"
        );
    }
}

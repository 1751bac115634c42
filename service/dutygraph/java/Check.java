// Checks that an ontology document is in the OWL 2 DL profile, using the OWL API's own
// OWL2DLProfile checker (shipped inside owlready2's HermiT.jar). Run as a single-file program:
//   java -cp HermiT.jar Check.java ONTOLOGY.owl
// Prints each violation; exits 0 when the ontology is in the profile, 1 when it is not, 2 on error.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class Check {
    public static void main(String[] args) {
        try {
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation violation : report.getViolations()) {
                System.out.println("VIOLATION " + violation);
            }
            System.out.println("axioms " + ontology.getAxiomCount());
            System.out.println(report.isInProfile() ? "IN-PROFILE" : "NOT-IN-PROFILE");
            System.exit(report.isInProfile() ? 0 : 1);
        } catch (Exception error) {
            System.out.println("ERROR " + error);
            System.exit(2);
        }
    }
}

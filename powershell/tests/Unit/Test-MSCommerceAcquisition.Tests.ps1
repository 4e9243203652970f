BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Test-MSCommerceAcquisition' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ allowed = $false; policyValue = 'Disabled'; reason = 'Self-service purchase of Power BI Pro is turned off.'; refusalCode = 'PolicyDisabled'; licenseRequestPossible = $true; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; acquisitionKind = $Query.kind; userId = 'u1' }
        }
    }

    It 'Should ask for a purchase of a product by default' {
        $decision = Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP'
        $decision.PSObject.TypeNames | Should -Contain 'MSCommerce.AcquisitionDecision'
        $decision.Allowed | Should -BeFalse
        $decision.RefusalCode | Should -Be 'PolicyDisabled'
        $decision.LicenseRequestPossible | Should -BeTrue
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/acquisitionDecisions' -and $Query.productId -eq 'CFQ7TTC0H9MP' -and
            $Query.kind -eq 'Purchase' -and -not $Query.ContainsKey('userId') -and -not $Query.ContainsKey('offerType')
        }
    }

    It 'Should ask for an offer type and another user' {
        $null = Test-MSCommerceAcquisition -OfferType 'SaaS' -AcquisitionKind TrialWithPaymentMethod -UserId 'u5'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Query.offerType -eq 'SaaS' -and $Query.kind -eq 'TrialWithPaymentMethod' -and $Query.userId -eq 'u5' -and -not $Query.ContainsKey('productId')
        }
    }

    It 'Should ask once per piped user, binding UserId by property name' {
        $users = @([pscustomobject]@{ UserId = 'u1' }, [pscustomobject]@{ UserId = 'u2' })
        @($users | Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP').Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Query.userId -eq 'u2' }
    }

    It 'Should read a decision without licenseRequestPossible (an older service) as no request possible' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ allowed = $true; policyValue = 'Enabled'; reason = 'Allowed.'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; acquisitionKind = 'Purchase'; userId = 'u1' }
        }
        $decision = Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP'
        $decision.LicenseRequestPossible | Should -BeOfType [bool]
        $decision.LicenseRequestPossible | Should -BeFalse
    }

    It 'Should refuse an acquisition kind outside the list before any call' {
        { Test-MSCommerceAcquisition -ProductId 'CFQ7TTC0H9MP' -AcquisitionKind 'Steal' } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }
}
